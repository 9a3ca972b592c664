"""Signatures per second through the gateway vs a raw python-pkcs11 loop, same run.

The gateway does more than the raw loop (lock, key check, low-S, software
verification of every signature); the target is >= 90% of the raw rate. Signing
sessions use the batch path, where verification overlaps the next HSM call.
Rounds are interleaved so
that drift in machine load hits both sides alike; the median round is reported.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pkcs11 import Mechanism

from bench._tokens import BENCH_PIN, bench_tokens
from signer.hsm.gateway import Gateway

ROUNDS, PER_ROUND = 9, 400


def main() -> None:
    tokens = bench_tokens(("bench",))
    gateway = Gateway(tokens.module)
    session = gateway.login("bench", BENCH_PIN)
    key = session.import_secp256k1(bytearray(os.urandom(32)), "m/48'/1'/0'/2'/0/0")
    digests = [hashlib.sha256(n.to_bytes(4, "big")).digest() for n in range(PER_ROUND)]
    raw_rates, gateway_rates, batch_rates = [], [], []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for digest in digests:
            key.handle.sign(digest, mechanism=Mechanism.ECDSA)
        raw_rates.append(PER_ROUND / (time.perf_counter() - start))
        start = time.perf_counter()
        for digest in digests:
            session.sign_digest(key.key_id, digest, key.public_key)
        gateway_rates.append(PER_ROUND / (time.perf_counter() - start))
        start = time.perf_counter()
        session.sign_digests(key.key_id, digests, key.public_key)
        batch_rates.append(PER_ROUND / (time.perf_counter() - start))
    session.logout()
    raw = statistics.median(raw_rates)
    single, batch = statistics.median(gateway_rates), statistics.median(batch_rates)
    print(f"raw python-pkcs11 CKM_ECDSA loop      : {raw:8.0f} signatures/s")
    print(
        f"gateway sign_digest, one call each    : {single:8.0f} signatures/s"
        f"  ratio {single / raw:.3f}"
    )
    print(
        f"gateway sign_digests, batch of {PER_ROUND}     : {batch:8.0f} signatures/s"
        f"  ratio {batch / raw:.3f}  (target >= 0.90)"
    )


if __name__ == "__main__":
    main()
