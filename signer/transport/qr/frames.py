"""QR codes out: UR parts as PNG frames and the ``--qr`` export files.

``DEFAULT_FRAGMENT_LEN`` = 880 bytes keeps every part at QR version <= 25 (error level
L, alphanumeric mode for the upper-cased ``UR:`` text). Measured with segno: the worst
case part, ``UR:CRYPTO-PSBT/4294967295-10000/...`` with messageLen 4 MiB, is 1,844
characters, version 25-L (capacity 1,853); 885 bytes or more need version 26.
"""

from __future__ import annotations

import io

import segno

from signer.transport.ur import UR, encode_parts

DEFAULT_FRAGMENT_LEN = 880
DEFAULT_SCALE = 4
QUIET_ZONE = 4


def make_qr(content: str | bytes) -> segno.QRCode:
    """A QR code for ``content``; UR text is upper-cased so it fits alphanumeric mode."""
    if isinstance(content, str) and content[:3].lower() == "ur:":
        return segno.make_qr(content.upper(), error="l", mode="alphanumeric")
    return segno.make_qr(content, error="l")


def png_frame(content: str | bytes, scale: int = DEFAULT_SCALE, border: int = QUIET_ZONE) -> bytes:
    """One QR code as PNG bytes (``scale`` pixels per module, ``border`` modules of margin)."""
    out = io.BytesIO()
    make_qr(content).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def ur_parts(
    payload: bytes,
    ur_type: str = "crypto-psbt",
    max_fragment_len: int = DEFAULT_FRAGMENT_LEN,
    count: int | None = None,
) -> list[str]:
    """UR part strings for ``payload`` (default count: one part per fragment, no mixes)."""
    return encode_parts(UR.wrap(ur_type, payload), max_fragment_len, count)


def export_files(
    draft_id: str,
    payload: bytes,
    ur_type: str = "crypto-psbt",
    max_fragment_len: int = DEFAULT_FRAGMENT_LEN,
    count: int | None = None,
    scale: int = DEFAULT_SCALE,
) -> dict[str, bytes]:
    """File name -> content: ``<id>.ur.txt`` (one part a line) and ``<id>-NN.png`` per part."""
    parts = ur_parts(payload, ur_type, max_fragment_len, count)
    width = max(2, len(str(len(parts))))
    files = {f"{draft_id}.ur.txt": "".join(part + "\n" for part in parts).encode("ascii")}
    for number, part in enumerate(parts, start=1):
        files[f"{draft_id}-{number:0{width}d}.png"] = png_frame(part, scale)
    return files
