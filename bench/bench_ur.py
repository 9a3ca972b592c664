"""Throughput of the BC-UR codec and QR frames for a 100 KiB payload: python bench/bench_ur.py."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from signer.transport.qr import DEFAULT_FRAGMENT_LEN, png_frame, read_qr_image, ur_parts
from signer.transport.ur import decode_parts

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


if __name__ == "__main__":
    main()
