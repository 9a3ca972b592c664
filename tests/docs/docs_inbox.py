"""Drafts the online vault system would send, built for a given registered wallet.

Used by `make_examples.py` (the files in docs/examples/) and by the runbook test
(which runs the documented commands on a fresh wallet, so its drafts must be fresh).
Destinations are the ones on docs/examples/allowlist.txt.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from demo_appliance.home import safe_tx
from signer.chains.bitcoin.addresses import address_of
from signer.chains.bitcoin.drafting import Spend, build_psbt
from signer.chains.bitcoin.psbt_file import psbt_bytes
from signer.chains.registered_wallet import RegisteredWallet
from signer.transport.envelope import seal

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
VAULT_KEY_ID = "vault-2026"
# Made up: keccak("airsign example safe"); registered with `wallet set-safe` in the examples.
EXAMPLE_SAFE = "0x75737A9DD441BBE6C1cc1Eb03599cfBc41EDDc85"
USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7"  # the policy's USDT contract (chain 1)
TRANSFER = keccak(text="transfer(address,uint256)")[:4]


def payee(label: str, network: str) -> str:
    """A P2WPKH address nobody holds a key for (hash of a label)."""
    return address_of(b"\x00\x14" + hashlib.sha256(label.encode()).digest()[:20], network)


def eth_payee(label: str) -> str:
    return str(to_checksum_address(keccak(text=label)[:20]))


CUSTOMER_123 = "customer 123"  # bitcoin, allowlisted
OTC_DESK = "otc desk"  # bitcoin, allowlisted
CUSTOMER_124 = eth_payee("customer 124")  # ethereum, allowlisted
CUSTOMER_126 = eth_payee("customer 126")  # ethereum, allowlisted
ATTACKER = eth_payee("attacker")  # ethereum, denylisted


def vault_key() -> Any:
    """The RFC 8032 TEST 1 key in docs/examples/vault-key.pem (public: never use it for real)."""
    return load_pem_private_key((EXAMPLES / "vault-key.pem").read_bytes(), password=None)


def _btc_psbt(wallet: RegisteredWallet, label: str, pay: int, spend: int, branch: int,
              salt: int) -> bytes:
    script = b"\x00\x14" + hashlib.sha256(label.encode()).digest()[:20]
    fee = 10_000
    psbt = build_psbt(wallet.bitcoin, [Spend((0, branch), spend)], [(script, pay)],
                      change=((1, branch), spend - pay - fee), salt=salt)
    return psbt_bytes(psbt)


def btc_draft(wallet: RegisteredWallet, draft_id: str, label: str, pay: int, spend: int,
              branch: int, salt: int, claimed_amount: str | None = None) -> dict[str, Any]:
    """An airsign-draft/1 bitcoin withdrawal (``claimed_amount`` lets the request lie)."""
    psbt = _btc_psbt(wallet, label, pay, spend, branch, salt)
    amount = claimed_amount or format(pay / 10**8, "f").rstrip("0").rstrip(".")
    return {"format": "airsign-draft/1", "id": draft_id, "created_at": "2026-11-22T10:00:00Z",
            "chain": "bitcoin", "network": wallet.network,
            "request": {"asset": "BTC", "amount": amount,
                        "destination": payee(label, wallet.network),
                        "reference": f"withdrawal {draft_id}"},
            "payload": {"psbt": base64.b64encode(psbt).decode("ascii")}}


def erc20_transfer(to: str, units: int) -> str:
    return "0x" + (TRANSFER + encode(["address", "uint256"], [to, units])).hex()


def usdt_draft(wallet: RegisteredWallet, draft_id: str, to: str, usdt: int,
               nonce: int) -> dict[str, Any]:
    tx = safe_tx(wallet, nonce, to=USDT, data=erc20_transfer(to, usdt * 10**6))
    return {"format": "airsign-draft/1", "id": draft_id, "created_at": "2026-11-22T10:05:00Z",
            "chain": "ethereum", "network": str(wallet.chain_id),
            "request": {"asset": "USDT", "amount": str(usdt), "destination": to,
                        "reference": f"withdrawal {draft_id}"},
            "payload": {"safe_tx": tx}}


def delegatecall_draft(wallet: RegisteredWallet, draft_id: str, nonce: int) -> dict[str, Any]:
    """The 2025 shape: operation=1 to a contract that is not a trusted batch library."""
    tx = safe_tx(wallet, nonce, to=eth_payee("malicious implementation"),
                 data=erc20_transfer(ATTACKER, 0), operation=1)
    return {"format": "airsign-draft/1", "id": draft_id, "created_at": "2026-11-22T10:10:00Z",
            "chain": "ethereum", "network": str(wallet.chain_id),
            "request": {"asset": "USDT", "amount": "10", "destination": CUSTOMER_124,
                        "reference": "looks like a routine transfer"},
            "payload": {"safe_tx": tx}}


def sealed(draft: dict[str, Any]) -> bytes:
    body = json.dumps(draft, indent=1).encode()
    return seal(body, vault_key(), VAULT_KEY_ID)


@dataclass(frozen=True)
class Inbox:
    """What the vault system put on the USB stick (file name -> envelope bytes)."""

    files: dict[str, bytes]

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for name, content in self.files.items():
            (directory / name).write_bytes(content)


def session_inbox(wallet: RegisteredWallet) -> Inbox:
    """A signing session's drafts: two good, one delayed, two refused."""
    return Inbox({
        "WD-000123.env.json": sealed(btc_draft(wallet, "WD-000123", CUSTOMER_123, 1_500_000,
                                               50_000_000, 0, 100)),
        "WD-000124.env.json": sealed(usdt_draft(wallet, "WD-000124", CUSTOMER_124, 25_000, 0)),
        "WD-000130.env.json": sealed(btc_draft(wallet, "WD-000130", OTC_DESK, 300_000_000,
                                               400_000_000, 1, 200)),
        "WD-000131.env.json": sealed(delegatecall_draft(wallet, "WD-000131", 1)),
        "WD-000132.env.json": sealed(btc_draft(wallet, "WD-000132", CUSTOMER_123, 150_000_000,
                                               200_000_000, 2, 300, claimed_amount="0.015")),
    })


def flood_inbox(wallet: RegisteredWallet, count: int = 7) -> Inbox:
    """Many hostile drafts at once: enough flags to trip the circuit breaker."""
    return Inbox({f"EVIL-{n:03d}.env.json": sealed(delegatecall_draft(wallet, f"EVIL-{n:03d}",
                                                                      10 + n))
                  for n in range(count)})
