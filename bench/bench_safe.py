"""Safe drafts per second: parse + decode + checks + two software signatures + export JSON.

Run: .venv/bin/python bench/bench_safe.py [--seconds 3]
Software keys stand in for the HSM, so this measures the appliance's own work only.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import coincurve
from eth_account import Account
from eth_utils import keccak

from signer.chains.ethereum.calldata import MULTISEND, selector
from signer.chains.ethereum.checks import screen_safe_tx
from signer.chains.ethereum.decode import decode_safe_tx
from signer.chains.ethereum.safe_tx import parse_safe_tx_json
from signer.chains.ethereum.settings import Settings
from signer.chains.ethereum.signing import SafeOwner, sign_safe_tx
from signer.chains.ethereum.tokens import Token, TokenRegistry
from signer.hsm.ecdsa import EcdsaSignature, verified_signature

CHAIN_ID = 1
USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
SAFE = Account.from_key(keccak(b"bench safe")).address
BATCH_LIBRARY = Account.from_key(keccak(b"bench multisend")).address
ZERO = "0x" + "00" * 20


def software_owner(holder: str) -> SafeOwner:
    secret = keccak(f"bench owner {holder}".encode())
    key = coincurve.PrivateKey(secret)
    public = key.public_key.format()

    def sign_digest(digest: bytes) -> EcdsaSignature:
        raw = key.sign_recoverable(digest, hasher=None)[:64]
        return verified_signature(raw, digest, public)

    return SafeOwner(holder, Account.from_key(secret).address, sign_digest)


def transfer_data(recipient: str, amount: int) -> bytes:
    return (
        selector("transfer(address,uint256)")
        + bytes(12)
        + bytes.fromhex(recipient[2:])
        + amount.to_bytes(32, "big")
    )


def draft_json(nonce: int, batch_size: int) -> bytes:
    recipient = Account.from_key(keccak(nonce.to_bytes(8, "big"))).address
    if batch_size == 0:
        to, data, operation = USDT, transfer_data(recipient, 25_000 * 10**6), 0
    else:
        inner = transfer_data(recipient, 10**6)
        entry = b"\x00" + bytes.fromhex(USDT[2:]) + bytes(32) + len(inner).to_bytes(32, "big")
        packed = (entry + inner) * batch_size
        padding = bytes(-len(packed) % 32)
        data = MULTISEND + (32).to_bytes(32, "big") + len(packed).to_bytes(32, "big")
        data += packed + padding
        to, operation = BATCH_LIBRARY, 1
    tx = {
        "safe": SAFE, "chainId": CHAIN_ID, "safeVersion": "1.4.1", "to": to, "value": "0",
        "data": "0x" + data.hex(), "operation": operation, "safeTxGas": "0", "baseGas": "0",
        "gasPrice": "0", "gasToken": ZERO, "refundReceiver": ZERO, "nonce": nonce,
    }  # fmt: skip
    return json.dumps(tx).encode()


def run(seconds: float, batch_size: int) -> dict[str, float]:
    tokens = TokenRegistry([Token("USDT", 6, USDT, CHAIN_ID)])
    settings = Settings(trusted_multisend={CHAIN_ID: frozenset({BATCH_LIBRARY})})
    owners = [software_owner("A"), software_owner("B")]
    drafts = [draft_json(n, batch_size) for n in range(200)]
    stages: dict[str, float] = dict.fromkeys(("parse", "decode", "checks", "sign x2", "export"), 0)
    count = 0
    clock: Callable[[], float] = time.perf_counter
    start = clock()
    while clock() - start < seconds:
        raw = drafts[count % len(drafts)]
        t0 = clock()
        tx = parse_safe_tx_json(raw, "bench")
        t1 = clock()
        view = decode_safe_tx(tx, tokens, settings)
        t2 = clock()
        findings = screen_safe_tx(
            tx, view, settings, safe=SAFE, chain_id=CHAIN_ID, last_nonce=tx.nonce - 1
        )
        t3 = clock()
        signed = sign_safe_tx(tx, owners)
        t4 = clock()
        json.dumps(signed.to_json())
        t5 = clock()
        assert not findings, findings
        for name, spent in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            stages[name] += spent
        count += 1
    total = sum(stages.values())
    return {"drafts": count, "per_second": count / total} | {
        name: spent / count * 1e6 for name, spent in stages.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    for label, batch_size in (("USDT transfer", 0), ("MultiSend of 10 USDT transfers", 10)):
        figures = run(args.seconds, batch_size)
        stages = ", ".join(
            f"{k} {v:.0f} µs" for k, v in figures.items() if k not in ("drafts", "per_second")
        )
        print(
            f"{label}: {figures['per_second']:.0f} drafts/s "
            f"({figures['drafts']:.0f} drafts; {stages})"
        )


if __name__ == "__main__":
    main()
