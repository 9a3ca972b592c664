"""Per-input signing time for PSBTs of 10, 100 and 1,000 inputs (software signer).

Times are this process's CPU time (best of several runs), so other work on a shared
machine does not distort the ratio.

BIP143 makes the work per input constant; this bench fails (exit 1) if the time per
input at 1,000 inputs exceeds 1.5x the time per input at 10.
Run: .venv/bin/python bench/bench_psbt.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "bitcoin"))

from builders import Spend, build_psbt, external_script, holder_signer, make_wallet

from signer.chains.bitcoin.finalize import extract_transaction, finalize_psbt
from signer.chains.bitcoin.signing import sign_psbt

SIZES = (10, 100, 1000)
LIMIT = 1.5


def per_input_seconds(count: int, repeats: int) -> tuple[float, float]:
    """Best time per input of holder A signing, and of B signing + finalize + extract."""
    seeded = make_wallet()
    wallet = seeded.wallet
    spends = [Spend((i % 2, (i // 2) % 50), 100_000 + i) for i in range(count)]
    total = sum(s.amount for s in spends)
    draft = build_psbt(wallet, spends, [(external_script("payee"), total - 200 * count)])
    branches = [s.branch for s in spends]
    sign_a, _ = holder_signer(seeded, "A", branches)
    sign_b, _ = holder_signer(seeded, "B", branches)
    sign_psbt(draft, wallet, "A", sign_a)  # warm caches (key derivation, scripts)
    best_sign = best_rest = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        by_a = sign_psbt(draft, wallet, "A", sign_a)
        middle = time.process_time()
        extract_transaction(finalize_psbt(sign_psbt(by_a, wallet, "B", sign_b)))
        end = time.process_time()
        best_sign = min(best_sign, middle - start)
        best_rest = min(best_rest, end - middle)
    return best_sign / count, best_rest / count


def main() -> int:
    results = {}
    for count in SIZES:
        sign, rest = per_input_seconds(count, repeats=7 if count < 1000 else 5)
        results[count] = sign
        print(
            f"{count:>5} inputs: sign {sign * 1e3:.3f} ms/input; second signature + finalize "
            f"+ extract {rest * 1e3:.3f} ms/input"
        )
    ratio = results[1000] / results[10]
    print(f"ratio per-input time 1000/10: {ratio:.2f} (limit {LIMIT})")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    raise SystemExit(main())
