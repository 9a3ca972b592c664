"""A proof with the wallet a real ceremony registered and the keys it put in the tokens."""

from __future__ import annotations

import pytest

from signer.chains.proof.bitcoin_addresses import locate_addresses
from signer.chains.proof.bitcoin_proof import holder_digests, proof_entries
from signer.chains.proof.bitcoin_verify import verify
from signer.errors import Rejected
from signer.usecases.appliance import Appliance
from signer.usecases.wallet import load_wallet
from tests.conftest import Cli

MESSAGE = "Pipeline Exchange proof of reserves 2026-12-01"


def test_ceremony_wallet_proves_its_whole_pool(wallet_cli: Cli, user_pin: str) -> None:
    app = Appliance.open(wallet_cli.home)
    try:
        wallet = load_wallet(app)
        bitcoin = wallet.bitcoin
        request = [bitcoin.address(change, index) for change in (0, 1)
                   for index in range(wallet.receive_keys if change == 0 else wallet.change_keys)]
        found = locate_addresses(bitcoin, request, wallet.receive_keys, wallet.change_keys)
        signatures: dict[str, dict[bytes, bytes]] = {}
        for holder_id in ("A", "B"):  # two sessions, one per holder
            with app.gateway.holder(wallet.holder(holder_id).token, user_pin) as token:
                for item in holder_digests(found, MESSAGE, holder_id):
                    signature = token.sign_digest(item.key_id, item.digest, item.pubkey)
                    signatures.setdefault(item.address, {})[item.pubkey] = signature.der + b"\x01"
        entries = proof_entries(found, MESSAGE, signatures)
        assert [e["address"] for e in entries] == request
        for entry in entries:
            assert verify(entry["address"], MESSAGE, entry["bip322_simple"]).ok
            assert verify(entry["address"], MESSAGE, entry["bip322_full"]).ok
        # the next receive address is the wallet's, but no token holds its keys
        with pytest.raises(Rejected) as beyond:
            locate_addresses(bitcoin, [bitcoin.address(0, wallet.receive_keys)],
                             wallet.receive_keys, wallet.change_keys)
        assert beyond.value.code == "proof_address_beyond_pool"
    finally:
        app.close()
