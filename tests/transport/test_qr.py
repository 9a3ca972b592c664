"""QR frames out (segno) read back by an independent decoder (zxing-cpp), and hostile images."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from signer.errors import BadInput
from signer.transport.qr import (
    DEFAULT_FRAGMENT_LEN,
    MIN_FRAME_CHARGE,
    PixelBudget,
    export_files,
    make_qr,
    png_frame,
    read_qr_file,
    read_qr_image,
    render_half_blocks,
    ur_parts,
)
from signer.transport.ur import bytewords, decode_parts
from signer.transport.ur.fountain import MAX_MESSAGE_LEN, MAX_SEQ_LEN, FountainPart


def test_100_kib_through_png_frames_with_a_fifth_dropped() -> None:
    rng = random.Random(2020)
    payload = rng.randbytes(100 * 1024)
    seq_len = len(ur_parts(payload))
    frames = [png_frame(part) for part in ur_parts(payload, count=seq_len * 3 // 2)]
    kept = rng.sample(frames, len(frames) - len(frames) // 5)
    assert any(frame not in kept for frame in frames[:seq_len]), "recovery must need mixed parts"
    scanned = [codes for frame in kept for codes in read_qr_image(frame, "frame.png")]
    assert all(len(codes) == 1 for codes in scanned)
    assert decode_parts(codes[0] for codes in scanned).payload() == payload


def test_default_fragment_length_keeps_version_25_in_the_worst_case() -> None:
    def worst_part(fragment_len: int) -> str:
        top = 2**32 - 1
        part = FountainPart(top, MAX_SEQ_LEN, MAX_MESSAGE_LEN, top, b"\xff" * fragment_len)
        return f"ur:crypto-psbt/{part.seq_num}-{part.seq_len}/{bytewords.encode(part.to_cbor())}"

    worst = make_qr(worst_part(DEFAULT_FRAGMENT_LEN))
    assert worst.version in range(1, 26)
    assert worst.mode == "alphanumeric"
    assert make_qr(worst_part(885)).version == 26


def test_transparent_background_is_read_as_white() -> None:
    gray = Image.open(io.BytesIO(png_frame("ur:bytes/hello"))).convert("L")
    black_ink = Image.new("RGBA", gray.size, (0, 0, 0, 0))  # light = transparent black
    black_ink.putalpha(gray.point(lambda v: 255 - v))
    out = io.BytesIO()
    black_ink.save(out, format="PNG")
    assert read_qr_image(out.getvalue(), "clear.png") == [[b"UR:BYTES/HELLO"]]


def test_binary_content_comes_back_as_raw_bytes() -> None:
    content = bytes(range(256))
    assert read_qr_image(png_frame(content), "binary.png") == [[content]]


def _gif(frames: list[bytes]) -> bytes:
    images = [Image.open(io.BytesIO(frame)).convert("L") for frame in frames]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], duration=200)
    return out.getvalue()


def test_every_gif_frame_and_a_jpeg_are_read() -> None:
    parts = ur_parts(random.Random(3).randbytes(600), "psbt", max_fragment_len=100)
    frames = [png_frame(part) for part in parts]
    scanned = read_qr_image(_gif(frames), "parts.gif")
    assert [codes[0].decode().lower() for codes in scanned] == parts
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(frames[0])).convert("RGB").save(jpeg, format="JPEG", quality=85)
    assert read_qr_image(jpeg.getvalue(), "part.jpg") == [[parts[0].upper().encode()]]
    assert read_qr_image(_blank_png(), "blank.png") == [[]]


def _blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (64, 64), 255).save(out, format="PNG")
    return out.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 100)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


@pytest.mark.parametrize(
    ("data", "kwargs", "code"),
    [
        (_png_claiming(5000, 5000), {}, "qr_too_large"),
        (_png_claiming(20000, 20000), {}, "qr_too_large"),
        (_png_claiming(10, 10), {}, "qr_bad_image"),
        (b"GIF89a" + b"\0" * 20, {}, "qr_bad_image"),
        (b"not an image at all", {}, "qr_bad_image"),
        (_blank_png()[:60], {}, "qr_bad_image"),
        (_blank_png(), {"max_frame_pixels": 1000}, "qr_too_large"),
        (_blank_png(), {"max_total_pixels": 1000}, "qr_too_large"),
        (_blank_png(), {"max_frames": 0}, "qr_too_large"),
    ],
)
def test_hostile_images_are_bad_input_naming_the_file(
    data: bytes, kwargs: dict[str, int], code: str
) -> None:
    with pytest.raises(BadInput) as err:
        read_qr_image(data, "evil.png", **kwargs)
    assert err.value.code == code
    assert err.value.message.startswith("evil.png: ")


def test_gif_frame_count_is_capped() -> None:
    gif = _gif([png_frame(f"ur:bytes/{n}") for n in range(4)])
    assert len(read_qr_image(gif, "four.gif", max_frames=4)) == 4
    with pytest.raises(BadInput) as err:
        read_qr_image(gif, "four.gif", max_frames=3)
    assert err.value.code == "qr_too_large"


def test_other_formats_and_missing_files_are_refused(tmp_path: Path) -> None:
    bmp = io.BytesIO()
    Image.new("L", (8, 8)).save(bmp, format="BMP")
    (tmp_path / "a.bmp").write_bytes(bmp.getvalue())
    with pytest.raises(BadInput) as err:
        read_qr_file(tmp_path / "a.bmp")
    assert err.value.code == "qr_bad_image"
    with pytest.raises(BadInput) as err:
        read_qr_file(tmp_path / "missing.png")
    assert err.value.code == "qr_unreadable"
    assert "missing.png" in err.value.message


def _screen_to_image(text: str, light_on_dark: bool) -> Image.Image:
    """Paint the characters as a terminal would: ink light on dark, or dark on light."""
    ink, paper = (255, 0) if light_on_dark else (0, 255)
    halves = {" ": (paper, paper), "▀": (ink, paper), "▄": (paper, ink), "█": (ink, ink)}
    lines = text.split("\n")
    image = Image.new("L", (len(lines[0]), 2 * len(lines)))
    for y, line in enumerate(lines):
        for x, char in enumerate(line):
            top, bottom = halves[char]
            image.putpixel((x, 2 * y), top)
            image.putpixel((x, 2 * y + 1), bottom)
    return image.resize((image.width * 6, image.height * 6), Image.Resampling.NEAREST)


@pytest.mark.parametrize("light_on_dark", [True, False])
def test_terminal_rendering_scans(light_on_dark: bool) -> None:
    part = ur_parts(random.Random(5).randbytes(400), max_fragment_len=150)[1]
    text = render_half_blocks(part, light_on_dark=light_on_dark)
    size = int(make_qr(part).symbol_size(border=4)[0])
    lines = text.split("\n")
    assert len(lines) == (size + 1) // 2 and {len(line) for line in lines} == {size}
    quiet = "█" if light_on_dark else " "
    assert lines[0] == lines[1] == quiet * size
    image = _screen_to_image(text, light_on_dark)
    found = zxingcpp.read_barcodes(image, try_invert=False)
    assert [bytes(code.bytes) for code in found] == [part.upper().encode()]


def test_export_files_hold_parts_and_matching_frames() -> None:
    payload = random.Random(9).randbytes(2500)
    files = export_files("d3adb33f", payload, max_fragment_len=200)
    lines = files.pop("d3adb33f.ur.txt").decode().splitlines()
    assert sorted(files) == [f"d3adb33f-{n:02d}.png" for n in range(1, len(lines) + 1)]
    assert decode_parts(lines).payload() == payload
    for line, png in zip(lines, files.values(), strict=True):
        assert read_qr_image(png, "export.png") == [[line.upper().encode()]]
    many = export_files("x", payload, max_fragment_len=20)
    assert "x-001.png" in many and len(many) == 1 + len(ur_parts(payload, max_fragment_len=20))


def _frame_block(width: int, height: int) -> bytes:
    """One GIF image block (descriptor and LZW data) of a blank ``width`` x ``height`` frame,
    as Pillow writes it, with a graphic control extension before it."""
    out = io.BytesIO()
    Image.new("P", (width, height), 1).save(out, format="GIF")
    data = out.getvalue()
    flags = data[10]
    at = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    while data[at] == 0x21:  # skip Pillow's extensions: sub-blocks up to a zero length
        at += 2
        while data[at]:
            at += data[at] + 1
        at += 1
    local = data[at + 9]
    table = 3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0
    lzw = data[at + 10 + table:-1]
    return (b"\x21\xf9\x04\x00\x00\x00\x00\x00" + b"\x2c"
            + struct.pack("<HHHHB", 0, 0, width, height, 0) + lzw)


def gif_outgrowing_its_canvas(frames: int, size: int) -> bytes:
    """A hostile GIF: its header declares a 1 x 1 canvas (what is charged from the
    headers), then frames of ``size`` x ``size`` that Pillow grows the canvas to."""
    header = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    blocks = _frame_block(1, 1) + _frame_block(size, size) * frames
    return header + blocks + b"\x3b"


def test_class7_gif_frames_beyond_the_declared_canvas_are_charged_before_decoding() -> None:
    """A canvas of 1 pixel and 5 frames of 4000 x 4000: 80 million pixels decoded for
    5 charged. Each grown frame is charged its real pixels before it is decoded, so a
    budget nearly spent refuses the file, and the import-wide budget holds."""
    gif = gif_outgrowing_its_canvas(5, 4000)
    assert len(gif) < 100_000  # small on the stick
    budget = PixelBudget(100_000_000)
    budget.spent = 90_000_000  # earlier images of the same import
    with pytest.raises(BadInput) as err:
        read_qr_image(gif, "grow.gif", budget=budget)
    assert err.value.code == "qr_too_large"
    assert err.value.message.startswith("grow.gif: ") and "frame 1" in err.value.message
    fresh = PixelBudget(100_000_000)
    assert read_qr_image(gif, "grow.gif", budget=fresh) == [[]] * 6
    # What was decoded, not what was declared: each frame at least MIN_FRAME_CHARGE.
    assert fresh.spent == 5 * 16_000_000 + MIN_FRAME_CHARGE
