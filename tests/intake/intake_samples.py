"""Valid examples of every accepted format, built with independent tools where possible."""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from signer.chains import kinds
from signer.chains.bitcoin.psbt_file import psbt_bytes
from signer.transport.intake import IntakeResult, Limits, PayloadChecks, scan
from tests.bitcoin.builders import Spend, build_psbt, external_script, make_wallet

ZERO = "0x" + "00" * 20
FORMATS = kinds.every()
CHECKS = PayloadChecks(FORMATS, lambda kind, data, source: kinds.kind(kind).check_payload(
    data, source))
VAULT = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
VAULT_KEYS = {
    "vault-2026": VAULT.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
    "vault-old": OTHER.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
}


@cache
def psbt() -> bytes:
    """An unsigned 2-of-3 P2WSH PSBT (embit) with one payment and change."""
    wallet = make_wallet().wallet
    built = build_psbt(wallet, [Spend((0, 0), 100_000)], [(external_script("pay"), 60_000)],
                       change=((1, 0), 39_000))
    return psbt_bytes(built)


def safe_tx(nonce: int = 7) -> dict[str, Any]:
    return {
        "safe": "0x" + "11" * 20, "chainId": 1, "safeVersion": "1.4.1",
        "to": "0x" + "22" * 20, "value": "0",
        "data": "0xa9059cbb" + "00" * 12 + "33" * 20 + f"{25_000 * 10**6:064x}",
        "operation": 0, "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": ZERO, "refundReceiver": ZERO, "nonce": nonce,
    }  # fmt: skip


def draft(kind: str = "bitcoin", **changes: Any) -> dict[str, Any]:
    """An airsign-draft/1 object as FORMATS.md shows it."""
    doc: dict[str, Any] = {
        "format": "airsign-draft/1", "id": "WD-000123", "created_at": "2026-11-22T10:00:00Z",
        "chain": kind, "network": "regtest" if kind == "bitcoin" else "1",
        "request": {"asset": "BTC" if kind == "bitcoin" else "USDT",
                    "amount": "0.0006" if kind == "bitcoin" else "25000",
                    "destination": "bcrt1qexample" if kind == "bitcoin" else "0x" + "33" * 20,
                    "reference": "withdrawal 123"},
        "payload": ({"psbt": base64.b64encode(psbt()).decode()} if kind == "bitcoin"
                    else {"safe_tx": safe_tx()}),
    }  # fmt: skip
    doc.update(changes)
    return doc


def draft_bytes(kind: str = "bitcoin", **changes: Any) -> bytes:
    return json.dumps(draft(kind, **changes)).encode()


def envelope_obj(body: bytes, key: Ed25519PrivateKey = VAULT, key_id: str = "vault-2026",
                 signed: bytes | None = None) -> dict[str, str]:
    """An envelope built here with the cryptography library directly (not with seal)."""
    return {
        "format": "airsign-envelope/1", "key_id": key_id,
        "body": base64.b64encode(body).decode(),
        "signature": base64.b64encode(key.sign(body if signed is None else signed)).decode(),
    }


def envelope_bytes(body: bytes, **kwargs: Any) -> bytes:
    return json.dumps(envelope_obj(body, **kwargs)).encode()


def run(*paths: Path, limits: Limits | None = None) -> IntakeResult:
    return scan(list(paths), VAULT_KEYS, limits or Limits(), CHECKS)
