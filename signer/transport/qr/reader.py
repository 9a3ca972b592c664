"""Read QR payloads from image files (PNG, JPEG, every frame of a GIF or APNG).

Images are hostile input: formats are restricted, each frame's pixel count, the frame
count and the total pixels scanned are capped before any pixel data is decoded, and every
Pillow failure becomes a BadInput naming the file. One import shares a pixel budget over
all its images (frames x pixels, counted from the headers before the first frame is
decoded): a small GIF declaring huge or many frames is refused in milliseconds, and no
set of files keeps the decoder (and the home lock) busy for more than about a second.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import zxingcpp
from PIL import Image, ImageSequence

from signer.errors import BadInput

FORMATS = ("PNG", "JPEG", "GIF")
MAX_FRAME_PIXELS = 16_000_000
MAX_FRAMES = 1_000
# zxing-cpp and the grayscale conversion take about 10 ns a pixel here: about a second.
MAX_TOTAL_PIXELS = 100_000_000
# Scanning a frame has a fixed cost (about 0.1 ms, what 10,000 pixels cost): a frame is
# charged at least that, so thousands of tiny frames cannot add up to seconds unseen.
MIN_FRAME_CHARGE = 10_000


class PixelBudget:
    """Pixels one import may still decode, over all its images (frames x pixels)."""

    def __init__(self, limit: int = MAX_TOTAL_PIXELS) -> None:
        self.limit = limit
        self.spent = 0

    def reserve(self, pixels: int, name: str) -> None:
        """Take ``pixels`` from the budget, or refuse the image before decoding it."""
        if self.spent + pixels > self.limit:
            raise BadInput(
                "qr_too_large",
                f"{name}: its frames hold {pixels} pixels, more than the {self.limit - self.spent}"
                f" left of this import's limit of {self.limit} pixels (frames x pixels); "
                "no frame was decoded",
            )
        self.spent += pixels
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def read_qr_file(
    path: Path,
    max_frame_pixels: int = MAX_FRAME_PIXELS,
    max_frames: int = MAX_FRAMES,
    max_total_pixels: int = MAX_TOTAL_PIXELS,
) -> list[list[bytes]]:
    """The raw bytes of every QR code found, one list per frame of the image at ``path``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput("qr_unreadable", f"{path}: cannot read the image ({exc.strerror})") from None
    return read_qr_image(data, str(path), max_frame_pixels, max_frames, max_total_pixels)


def read_qr_image(
    data: bytes,
    name: str,
    max_frame_pixels: int = MAX_FRAME_PIXELS,
    max_frames: int = MAX_FRAMES,
    max_total_pixels: int = MAX_TOTAL_PIXELS,
    budget: PixelBudget | None = None,
) -> list[list[bytes]]:
    """Like ``read_qr_file`` for image bytes; ``name`` is used in error messages.

    ``budget``: the import's pixel budget this image draws on (by default its own)."""
    frames: list[list[bytes]] = []
    total = 0
    # Pillow's plugins raise many exception types (OSError, ValueError, SyntaxError,
    # struct.error, EOFError, ...) on crafted files: all of them mean "bad image".
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                budget = budget or PixelBudget(max_total_pixels)
                charged = max(image.width * image.height, MIN_FRAME_CHARGE)  # per frame
                _declared(image, name, max_frame_pixels, max_frames, max_total_pixels, budget)
                for index, frame in enumerate(ImageSequence.Iterator(image)):
                    pixels = frame.width * frame.height
                    total += pixels
                    _check_caps(name, index, pixels, total, max_frame_pixels, max_frames,
                                max_total_pixels)
                    if pixels > charged:
                        # A GIF frame placed outside its canvas grows the image (Pillow
                        # does so at seek): the headers charged only the declared canvas.
                        budget.reserve(pixels - charged, f"{name}: frame {index}")
                    frames.append(_decode_frame(_on_white(frame)))
    except BadInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadInput("qr_too_large", f"{name}: {exc}") from None
    except Exception as exc:
        raise BadInput(
            "qr_bad_image",
            f"{name}: not a readable PNG, JPEG or GIF image ({type(exc).__name__}: "
            f"{str(exc)[:120]})",
        ) from None
    return frames


def _declared(
    image: Image.Image, name: str, frame_cap: int, frame_count_cap: int, total_cap: int,
    budget: PixelBudget,
) -> None:
    """Refuse from the headers alone (every frame of a GIF or APNG has the canvas size;
    counting frames reads their headers, not their pixels) before any pixel is decoded."""
    count = int(getattr(image, "n_frames", 1))
    pixels = image.width * image.height
    _check_caps(name, min(count, frame_count_cap + 1) - 1, pixels, pixels * count,
                frame_cap, frame_count_cap, total_cap)
    budget.reserve(max(pixels, MIN_FRAME_CHARGE) * count, name)


def _check_caps(
    name: str, index: int, pixels: int, total: int, frame_cap: int, frame_count_cap: int,
    total_cap: int,
) -> None:
    if index >= frame_count_cap:
        raise BadInput("qr_too_large", f"{name}: more than {frame_count_cap} frames")
    if pixels > frame_cap:
        raise BadInput(
            "qr_too_large", f"{name}: frame {index} has {pixels} pixels, limit {frame_cap}"
        )
    if total > total_cap:
        raise BadInput("qr_too_large", f"{name}: {total} pixels in its frames (frames x "
                       f"pixels), more than the limit of {total_cap}")


def _on_white(frame: Image.Image) -> Image.Image:
    """Grayscale, with transparent areas shown as white paper (as a viewer would)."""
    if frame.mode not in ("RGBA", "LA", "PA") and "transparency" not in frame.info:
        return frame.convert("L")
    paper = Image.new("RGBA", frame.size, (255, 255, 255, 255))
    paper.alpha_composite(frame.convert("RGBA"))
    return paper.convert("L")


def _decode_frame(gray: Image.Image) -> list[bytes]:
    barcodes = zxingcpp.read_barcodes(gray, formats=_QR_ONLY)
    return [bytes(barcode.bytes) for barcode in barcodes if barcode.valid]
