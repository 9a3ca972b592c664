"""Time from `recover` start to done: holder B restored from 3 share cards, 20+20 key pool.

Covers reading the cards, re-initialising the module, two PIN logins, SLIP-39 combine,
BIP32 derivation, importing and proving 41 keys, the journal entry and the checkpoint.
Target: under 5 s. A ceremony (valid-ceremony.toml) sets up the wallet first.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._tokens import BENCH_PIN, bench_tokens
from ceremony.drills import run_drill
from ceremony.recovery import restore_holder
from signer.cli.main import run
from signer.usecases.appliance import Appliance

ROUNDS = 5
CEREMONY = Path(__file__).resolve().parent.parent / "tests/ceremony/data/valid-ceremony.toml"
CARDS = ("B-g1-1", "B-g1-3", "B-g2-1")


def _ceremony(home: Path, module: str, work: Path) -> None:
    for holder in "ABC":
        os.environ[f"AIRSIGN_PIN_{holder}"] = BENCH_PIN
    os.environ["AIRSIGN_PASSPHRASE_C"] = "bench passphrase"
    Appliance.create(home, module).close()
    (work / "shares").mkdir()
    (work / "exports").mkdir()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = run(["--home", str(home), "--json", "ceremony", "run", str(CEREMONY),
                    "--shares-dir", str(work / "shares"), "--export-dir", str(work / "exports")])
    if code:
        raise SystemExit(f"ceremony failed: {out.getvalue()}")


def main() -> None:
    targets = tuple(f"restored-{n}" for n in range(ROUNDS))
    tokens = bench_tokens(("holder-a", "holder-b", "holder-c", *targets))
    work = Path(tempfile.mkdtemp(prefix="airsign-bench-recover-"))
    _ceremony(work / "home", tokens.module, work)
    cards = [work / "shares" / f"{name}.txt" for name in CARDS]
    app = Appliance.open(work / "home")
    restores, drills = [], []
    try:
        for target in targets:
            start = time.perf_counter()
            done = restore_holder(app, "B", cards, target, "A", lambda holder: BENCH_PIN)
            restores.append(time.perf_counter() - start)
            assert done["keys_imported"] == 41
            start = time.perf_counter()
            run_drill(app, "B", cards)
            drills.append(time.perf_counter() - start)
    finally:
        app.close()
    print(f"recover B (20+20 pool + owner = 41 keys, 3 shares, 2 logins), {ROUNDS} rounds:")
    print(f"  median {statistics.median(restores):.2f} s, max {max(restores):.2f} s"
          f"  (target < 5 s)")
    print(f"drill B (combine + derive + compare): median {statistics.median(drills):.3f} s")
    if max(restores) >= 5:
        raise SystemExit("recover is slower than the 5 s target")


if __name__ == "__main__":
    main()
