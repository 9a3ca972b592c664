"""The demo home `make run` starts on: a registered wallet, a policy, a vault key and an
inbox holding good, delayed and malicious drafts (Bitcoin and Safe).

Its ceremony and policy files sit beside this module (ceremony.toml, policy.toml).
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from ceremony.run import CeremonyOptions, run_ceremony
from signer.chains.bitcoin.addresses import address_of
from signer.chains.bitcoin.drafting import Spend, build_psbt
from signer.chains.bitcoin.psbt_file import psbt_bytes
from signer.chains.registered_wallet import RegisteredWallet
from signer.transport.envelope import seal
from signer.usecases import governance
from signer.usecases.appliance import Appliance
from signer.usecases.policy import apply_policy
from signer.usecases.wallet import load_wallet

DEMO_SAFE = to_checksum_address(keccak(text="airsign demo safe")[:20])
DEMO_USDT = "0x7169D38820dfd117C3FA1f22a697dBA58d90BA06"
VAULT_KEY_ID = "vault-demo"
ZERO = "0x" + "00" * 20


def create_demo(home: Path, module: str, pin: str) -> None:
    """Create the demo home next to ``inbox/``, ``shares/``, ``exports/`` and the vault key."""
    root = home.parent
    for name in ("shares", "exports", "inbox", "usb"):
        (root / name).mkdir(exist_ok=True)
    data = Path(__file__).resolve().parent
    app = Appliance.create(home, module)
    try:
        ceremony_file = root / "ceremony.toml"
        ceremony_file.write_text((data / "ceremony.toml").read_text())
        policy_file = root / "policy.toml"
        policy_file.write_text((data / "policy.toml").read_text())
        run_ceremony(app, ceremony_file, CeremonyOptions(root / "shares", root / "exports"),
                     lambda _holder: pin, lambda _holder: b"")
        apply_policy(app, policy_file, "A,B", lambda _holder: pin)
        governance.set_safe(app, DEMO_SAFE, "B,C", lambda _holder: pin)
        vault = Ed25519PrivateKey.generate()
        key_file = root / "vault-key.pem"
        key_file.write_bytes(vault.private_bytes(Encoding.PEM, PrivateFormat.PKCS8,
                                                 NoEncryption()))
        public_file = root / "vault-key.pub.pem"
        public_file.write_bytes(vault.public_key().public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
        governance.add_vault_key(app, public_file, VAULT_KEY_ID, "A,C", lambda _holder: pin)
        write_inbox(root / "inbox", load_wallet(app), vault)
    finally:
        app.close()


def _payee(label: str, network: str) -> tuple[bytes, str]:
    script = b"\x00\x14" + hashlib.sha256(label.encode()).digest()[:20]
    return script, address_of(script, network)


def _envelope(draft: dict[str, object], vault: Ed25519PrivateKey) -> bytes:
    return seal(json.dumps(draft, indent=1).encode(), vault, VAULT_KEY_ID)


def _btc_draft(wallet: RegisteredWallet, vault_id: str, amount: str, destination: str,
               psbt: bytes) -> dict[str, object]:
    return {"format": "airsign-draft/1", "id": vault_id, "created_at": "2026-11-22T10:00:00Z",
            "chain": "bitcoin", "network": wallet.network,
            "request": {"asset": "BTC", "amount": amount, "destination": destination,
                        "reference": f"withdrawal {vault_id}"},
            "payload": {"psbt": base64.b64encode(psbt).decode()}}


def safe_tx(wallet: RegisteredWallet, nonce: int, **fields: object) -> dict[str, object]:
    """A Safe transaction JSON object for the registered Safe (zero refunds, call)."""
    tx: dict[str, object] = {
        "safe": wallet.safe, "chainId": wallet.chain_id, "safeVersion": wallet.safe_version,
        "to": ZERO, "value": "0", "data": "0x", "operation": 0, "safeTxGas": "0",
        "baseGas": "0", "gasPrice": "0", "gasToken": ZERO, "refundReceiver": ZERO,
        "nonce": nonce}
    tx.update(fields)
    return tx


def write_inbox(inbox: Path, wallet: RegisteredWallet, vault: Ed25519PrivateKey) -> None:
    """Six drafts: two good (Bitcoin, USDT), one delayed, three malicious."""
    bitcoin, network = wallet.bitcoin, wallet.network
    script, address = _payee("customer 123", network)
    good = psbt_bytes(build_psbt(bitcoin, [Spend((0, 0), 50_000_000)], [(script, 1_500_000)],
                                 change=((1, 0), 48_490_000), salt=100))
    (inbox / "01-withdrawal-0.015-btc.json").write_bytes(
        _envelope(_btc_draft(wallet, "WD-000123", "0.015", address, good), vault))

    usdt_to = to_checksum_address(keccak(text="customer 124")[:20])
    transfer = keccak(text="transfer(address,uint256)")[:4] + encode(
        ["address", "uint256"], [usdt_to, 25_000 * 10**6])
    usdt = safe_tx(wallet, 0, to=DEMO_USDT, data="0x" + transfer.hex())
    (inbox / "02-withdrawal-25000-usdt.json").write_bytes(_envelope(
        {"format": "airsign-draft/1", "id": "WD-000124", "created_at": "2026-11-22T10:05:00Z",
         "chain": "ethereum", "network": str(wallet.chain_id),
         "request": {"asset": "USDT", "amount": "25000", "destination": usdt_to,
                     "reference": "withdrawal 124"},
         "payload": {"safe_tx": usdt}}, vault))

    big_script, _ = _payee("otc desk", network)
    big = build_psbt(bitcoin, [Spend((0, 1), 400_000_000)], [(big_script, 300_000_000)],
                     change=((1, 1), 99_990_000), salt=200)
    (inbox / "03-large-3-btc.psbt").write_bytes(psbt_bytes(big))

    evil_script, _ = _payee("attacker change", network)
    evil = build_psbt(bitcoin, [Spend((0, 2), 100_000_000)], [(script, 1_000_000)],
                      change=((1, 2), 98_990_000), salt=300)
    # The online side replaced the change output with its own script, kept the derivation.
    swapped = type(evil.tx.vout[1].script_pubkey)(evil_script)
    evil.tx.vout[1].script_pubkey = evil.outputs[1].script_pubkey = swapped
    (inbox / "04-fraudulent-change.psbt").write_bytes(base64.b64encode(psbt_bytes(evil)))

    attack = keccak(text="transfer(address,uint256)")[:4] + encode(
        ["address", "uint256"], [to_checksum_address(keccak(text="attacker")[:20]), 0])
    (inbox / "05-safe-delegatecall.json").write_text(json.dumps(safe_tx(
        wallet, 1, to=to_checksum_address(keccak(text="malicious impl")[:20]),
        data="0x" + attack.hex(), operation=1), indent=1))

    lie_script, lie_address = _payee("customer 125", network)
    lying = psbt_bytes(build_psbt(bitcoin, [Spend((0, 3), 200_000_000)],
                                  [(lie_script, 150_000_000)], change=((1, 3), 49_990_000),
                                  salt=400))
    (inbox / "06-envelope-lies-about-amount.json").write_bytes(
        _envelope(_btc_draft(wallet, "WD-000125", "0.015", lie_address, lying), vault))
