"""Safe owners whose keys live in SoftHSM: signed drafts execute on the real Safe contracts."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from eth_account import Account
from eth_keys import keys as eth_keys
from eth_tester.exceptions import TransactionFailed
from safe_chain import SafeChain, SafeWallet, deploy_wallet

from signer.chains.ethereum.safe_tx import SafeTx
from signer.chains.ethereum.signing import SafeOwner, sign_safe_tx
from signer.hsm.ecdsa import SECP256K1_N, EcdsaSignature
from signer.hsm.token import TokenSession

VERSIONS = ["1.1.1", "1.4.1"]
TOO_SHORT = "Signatures data too short|GS020"  # 1.1.1 revert string | 1.4.1 error code
RECIPIENT = Account.from_key(b"\x33" * 32).address


class HsmOwner:
    """One holder's owner key in their token, and how often the token was asked to sign."""

    def __init__(self, holder: str, token: TokenSession) -> None:
        scalar = 0
        while not 0 < scalar < SECP256K1_N:
            scalar = int.from_bytes(secrets.token_bytes(32), "big")
        secret = bytearray(scalar.to_bytes(32, "big"))
        key = token.import_secp256k1(secret, "safe owner")
        # eth-keys, not airsign, turns the token's public key into the owner address
        self.address = eth_keys.PublicKey.from_compressed_bytes(
            key.public_key
        ).to_checksum_address()
        assert self.address == Account.from_key(bytes(secret)).address
        secret[:] = bytes(32)
        self.calls = 0
        self.owner = SafeOwner(holder, self.address, self._signer(token, key.key_id))

    def _signer(self, token: TokenSession, key_id: bytes) -> Callable[[bytes], EcdsaSignature]:
        def sign_digest(digest: bytes) -> EcdsaSignature:
            self.calls += 1
            return token.sign_digest(key_id, digest)

        return sign_digest


@pytest.fixture(scope="module")
def chain() -> SafeChain:
    return SafeChain()


@pytest.fixture
def owners(tokens: dict[str, TokenSession]) -> dict[str, HsmOwner]:
    return {holder: HsmOwner(holder, token) for holder, token in tokens.items()}


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def wallet(chain: SafeChain, owners: dict[str, HsmOwner], version: str) -> SafeWallet:
    """A Safe proxy of ``version``: 2 of the three HSM owners, funded with ETH and USDT."""
    return deploy_wallet(chain, [o.address for o in owners.values()], [version])


def packed(tx: SafeTx, signers: list[HsmOwner]) -> bytes:
    return bytes.fromhex(sign_safe_tx(tx, [s.owner for s in signers]).to_json()["packed"][2:])


def test_hsm_signed_erc20_transfer_executes(
    wallet: SafeWallet, owners: dict[str, HsmOwner], version: str
) -> None:
    chain, safe, token = wallet.chain, wallet.safes[version], wallet.token
    assert sorted(safe.functions.getOwners().call()) == sorted(o.address for o in owners.values())
    amount = 42_500 * 10**6
    tx = chain.draft(safe, version, to=token.address,
                     data=token.encode_abi("transfer", args=[RECIPIENT, amount]))  # fmt: skip
    before = token.functions.balanceOf(safe.address).call()

    chain.execute(safe, tx, packed(tx, [owners["A"], owners["C"]]))

    assert token.functions.balanceOf(RECIPIENT).call() == amount
    assert token.functions.balanceOf(safe.address).call() == before - amount
    assert safe.functions.nonce().call() == tx.nonce + 1
    assert (owners["A"].calls, owners["B"].calls, owners["C"].calls) == (1, 0, 1)


def test_hsm_signed_eth_transfer_executes(
    wallet: SafeWallet, owners: dict[str, HsmOwner], version: str
) -> None:
    chain, safe = wallet.chain, wallet.safes[version]
    tx = chain.draft(safe, version, to=RECIPIENT, value=str(25 * 10**17))
    before, safe_before = chain.balance(RECIPIENT), chain.balance(safe.address)

    chain.execute(safe, tx, packed(tx, [owners["C"], owners["A"]]))

    assert chain.balance(RECIPIENT) - before == 25 * 10**17
    assert safe_before - chain.balance(safe.address) == 25 * 10**17
    assert safe.functions.nonce().call() == tx.nonce + 1


def test_one_hsm_signature_alone_fails_on_chain(
    wallet: SafeWallet, owners: dict[str, HsmOwner], version: str
) -> None:
    chain, safe = wallet.chain, wallet.safes[version]
    tx = chain.draft(safe, version, to=RECIPIENT, value="1000")
    before = chain.balance(RECIPIENT)
    with pytest.raises(TransactionFailed, match=TOO_SHORT):
        chain.execute(safe, tx, packed(tx, [owners["A"]]))
    assert safe.functions.nonce().call() == tx.nonce
    assert chain.balance(RECIPIENT) == before


def test_eth_account_recovers_each_hsm_signature_to_its_owner(
    wallet: SafeWallet, owners: dict[str, HsmOwner], version: str
) -> None:
    chain, safe = wallet.chain, wallet.safes[version]
    tx = chain.draft(safe, version, to=RECIPIENT, value="9")
    export = sign_safe_tx(tx, [o.owner for o in owners.values()]).to_json()
    assert bytes.fromhex(export["safeTxHash"][2:]) == chain.contract_hash(safe, tx)
    assert {s["owner"] for s in export["signatures"]} == {o.address for o in owners.values()}
    for entry in export["signatures"]:
        recovered = Account._recover_hash(
            export["safeTxHash"], signature=bytes.fromhex(entry["signature"][2:])
        )
        assert recovered == entry["owner"]
