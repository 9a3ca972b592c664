"""Throughput of the BC-UR codec and QR frames for a 100 KiB payload, then the cost of forged
fountain-part floods (issue 15 item 7): python bench/bench_ur.py.

The flood section decodes 100, 1,000 and 10,000 forged mixed parts of one message of
seqLen 10,000 (random fragments, a made-up checksum) the way an import does (one
URCollector, one decoding budget), and prints the median time per part at each size and
the ratio per-part(10,000) / per-part(100), which must be at most 2 (linear or better):
unbounded, the elimination made each part dearer than the last (minutes for 10,000).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import cbor2

from signer.transport.intake.ur_join import URCollector
from signer.transport.qr import DEFAULT_FRAGMENT_LEN, png_frame, read_qr_image, ur_parts
from signer.transport.ur import MAX_DECODE_STEPS, bytewords, decode_parts

PAYLOAD_LEN = 100 * 1024
T = TypeVar("T")


def timed(label: str, work: Callable[[], T], units: int, unit: str) -> T:
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    rate = PAYLOAD_LEN / seconds / 1024
    print(f"{label:<40} {seconds:8.3f} s {rate:10.1f} KiB/s {units / seconds:9.1f} {unit}/s")
    return result


def main() -> None:
    rng = random.Random(1)
    payload = rng.randbytes(PAYLOAD_LEN)
    print(f"payload {PAYLOAD_LEN} bytes, max fragment {DEFAULT_FRAGMENT_LEN} bytes")
    pure = timed("UR encode (seqLen parts)", lambda: ur_parts(payload), 1, "msg")
    seq_len = len(pure)
    print(f"seqLen {seq_len}, part length {len(pure[0])} characters")
    extra = ur_parts(payload, count=seq_len * 3 // 2)
    lossy = rng.sample(extra, len(extra) - len(extra) // 5)
    timed("UR decode (all pure parts)", lambda: decode_parts(pure), seq_len, "part")
    timed("UR decode (1.5x parts, 20% dropped)", lambda: decode_parts(lossy), len(lossy), "part")
    frames = timed("QR PNG encode (segno)", lambda: [png_frame(p) for p in pure], seq_len, "frame")
    timed(
        "QR PNG decode (zxing-cpp)",
        lambda: [read_qr_image(f, "bench.png") for f in frames],
        seq_len,
        "frame",
    )


FLOOD_SIZES = (100, 1_000, 10_000)
FLOOD_RUNS = 3
FLOOD_SEQ_LEN = 10_000


def forged_parts(count: int, seed: int) -> list[str]:
    """Mixed parts of a message that does not exist, as an attacker writes them."""
    rng = random.Random(seed)
    parts = []
    for seq_num in rng.sample(range(FLOOD_SEQ_LEN + 1, 2**31), count):
        body = cbor2.dumps([seq_num, FLOOD_SEQ_LEN, FLOOD_SEQ_LEN * 10, 0x0BADF00D,
                            rng.randbytes(10)])
        parts.append(f"ur:crypto-psbt/{seq_num}-{FLOOD_SEQ_LEN}/{bytewords.encode(body)}")
    return parts


def flood_seconds(parts: list[str]) -> tuple[float, list[str]]:
    collector = URCollector()
    started = time.perf_counter()
    refused = [r.code for text in parts if (r := collector.add(text, "flood", "flood.txt"))]
    refused += [getattr(r, "code", "decoded") for r in collector.finish()]
    return time.perf_counter() - started, refused


def flood() -> bool:
    print(f"\nforged UR floods: seqLen {FLOOD_SEQ_LEN}, budget {MAX_DECODE_STEPS} steps, "
          f"median of {FLOOD_RUNS} runs")
    per_part = {}
    for size in FLOOD_SIZES:
        runs = [flood_seconds(forged_parts(size, seed)) for seed in range(FLOOD_RUNS)]
        seconds = statistics.median(run[0] for run in runs)
        per_part[size] = seconds / size
        print(f"{size:>6} parts {seconds:8.3f} s {per_part[size] * 1e6:10.1f} us/part  "
              f"refused: {', '.join(sorted(set(runs[0][1])))}")
    ratio = per_part[FLOOD_SIZES[-1]] / per_part[FLOOD_SIZES[0]]
    print(f"per-part({FLOOD_SIZES[-1]}) / per-part({FLOOD_SIZES[0]}) = {ratio:.2f} "
          f"(must be <= 2): {'ok' if ratio <= 2 else 'FAIL'}")
    return ratio <= 2


if __name__ == "__main__":
    main()
    sys.exit(0 if flood() else 1)
