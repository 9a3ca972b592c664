"""Key ceremony for 3 holders with pools of 20 + 20 keys (plus each owner key): seconds.

Target: under 30 s on this machine. Also prints the raw cost of importing one key
through python-pkcs11 (create_object twice + a proof signature), measured in the same
run, as the baseline the ceremony is made of.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._tokens import BENCH_PIN, bench_tokens
from ceremony.run import CeremonyOptions, run_ceremony
from signer.hsm.gateway import Gateway
from signer.usecases.appliance import Appliance

CEREMONY = Path(__file__).resolve().parent.parent / "tests" / "ceremony" / "data"
ROUNDS = 3


def one_ceremony() -> float:
    tokens = bench_tokens()
    work = Path(tempfile.mkdtemp(prefix="airsign-bench-ceremony-"))
    for name in ("shares", "exports"):
        (work / name).mkdir()
    app = Appliance.create(work / "home", tokens.module)
    os.environ["AIRSIGN_PASSPHRASE_C"] = "bench passphrase"
    start = time.perf_counter()
    run_ceremony(app, CEREMONY / "valid-ceremony.toml",
                 CeremonyOptions(work / "shares", work / "exports"),
                 lambda _holder: BENCH_PIN, lambda _holder: b"bench passphrase")
    elapsed = time.perf_counter() - start
    app.close()
    return elapsed


def key_import_baseline() -> float:
    tokens = bench_tokens(("baseline",))
    session = Gateway(tokens.module).login("baseline", BENCH_PIN)
    start = time.perf_counter()
    for n in range(123):
        session.import_secp256k1(bytearray(os.urandom(32)), f"m/0/{n}")
    elapsed = time.perf_counter() - start
    session.logout()
    return elapsed


def main() -> None:
    times = [one_ceremony() for _ in range(ROUNDS)]
    baseline = key_import_baseline()
    print(f"ceremony, 3 holders x (20 + 20 + owner) = 123 keys: median "
          f"{statistics.median(times):.2f} s (runs {', '.join(f'{t:.2f}' for t in times)})"
          "  (target < 30 s)")
    print(f"baseline: 123 key imports with proof signatures alone: {baseline:.2f} s")


if __name__ == "__main__":
    main()
