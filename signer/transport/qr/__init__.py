"""QR codes in (image files) and out (PNG frames, export files, terminal drawing)."""

from signer.transport.qr.frames import (
    DEFAULT_FRAGMENT_LEN,
    export_files,
    make_qr,
    png_frame,
    ur_parts,
)
from signer.transport.qr.reader import (
    MAX_FRAME_PIXELS,
    MAX_FRAMES,
    MAX_TOTAL_PIXELS,
    MIN_FRAME_CHARGE,
    PixelBudget,
    read_qr_file,
    read_qr_image,
)
from signer.transport.qr.terminal import render_half_blocks

__all__ = [
    "DEFAULT_FRAGMENT_LEN",
    "MAX_FRAMES",
    "MAX_FRAME_PIXELS",
    "MAX_TOTAL_PIXELS",
    "MIN_FRAME_CHARGE",
    "PixelBudget",
    "export_files",
    "make_qr",
    "png_frame",
    "read_qr_file",
    "read_qr_image",
    "render_half_blocks",
    "ur_parts",
]
