"""Every accepted format is found by its content, whatever the file is called."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import segno
from intake_samples import draft_bytes, envelope_bytes, psbt, run, safe_tx
from PIL import Image

from signer.transport.intake import IntakeResult
from signer.transport.qr import export_files, png_frame, ur_parts
from signer.transport.ur import UR, encode_single


def only_draft(result: IntakeResult) -> tuple[str, bytes]:
    assert result.refused == [], result.refused
    assert len(result.drafts) == 1, result.drafts
    return result.drafts[0].chain, result.drafts[0].payload


def write(path: Path, content: bytes | str) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_binary_psbt_named_json(tmp_path: Path) -> None:
    assert only_draft(run(write(tmp_path / "draft.json", psbt()))) == ("bitcoin", psbt())


def test_base64_psbt_wrapped_with_bom_named_png(tmp_path: Path) -> None:
    text = base64.b64encode(psbt()).decode()
    wrapped = "\ufeff" + "\r\n".join(text[i : i + 64] for i in range(0, len(text), 64)) + "\n"
    assert only_draft(run(write(tmp_path / "qr.png", wrapped))) == ("bitcoin", psbt())


def test_envelope_named_psbt(tmp_path: Path) -> None:
    result = run(write(tmp_path / "x.psbt", envelope_bytes(draft_bytes())))
    assert only_draft(result) == ("bitcoin", psbt())
    assert result.drafts[0].envelope is not None


def test_plain_drafts_keep_their_request_in_notes(tmp_path: Path) -> None:
    write(tmp_path / "btc", draft_bytes("bitcoin"))
    write(tmp_path / "eth", draft_bytes("ethereum"))
    result = run(tmp_path)
    assert [d.envelope for d in result.drafts] == [None, None] and result.refused == []
    assert "0.0006 BTC to bcrt1qexample" in result.drafts[0].notes[0]
    assert "not signed" in result.drafts[1].notes[0]


def test_bare_safe_tx_keeps_its_bytes(tmp_path: Path) -> None:
    raw = json.dumps(safe_tx(), indent=2).encode()
    assert only_draft(run(write(tmp_path / "tx.txt", raw))) == ("ethereum", raw)


def test_single_part_urs(tmp_path: Path) -> None:
    write(tmp_path / "1", encode_single(UR.wrap("crypto-psbt", psbt())))
    write(tmp_path / "2", encode_single(UR.wrap("psbt", psbt())).upper() + "\n")
    write(tmp_path / "3", encode_single(UR.wrap("bytes", envelope_bytes(draft_bytes("ethereum")))))
    result = run(tmp_path)
    assert result.refused == []
    assert [d.chain for d in result.drafts] == ["bitcoin", "bitcoin", "ethereum"]
    assert result.drafts[0].payload == psbt() and result.drafts[2].envelope is not None
    assert all("single-part" in d.notes[0] for d in result.drafts)


def test_multipart_ur_in_one_file(tmp_path: Path) -> None:
    parts = ur_parts(psbt(), max_fragment_len=100)
    assert len(parts) > 5
    result = run(write(tmp_path / "a.ur.txt", "\n".join(reversed(parts))))
    assert only_draft(result) == ("bitcoin", psbt())
    assert result.drafts[0].source == str(tmp_path / "a.ur.txt")
    assert f"{len(parts)} distinct parts" in result.drafts[0].notes[0]


def test_multipart_ur_spread_over_files_and_directories(tmp_path: Path) -> None:
    parts = ur_parts(psbt(), max_fragment_len=120)
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "first", "\n".join(parts[:2]))
    write(tmp_path / "second", "\n".join(parts[2:4]))
    rest = write(tmp_path.parent / f"{tmp_path.name}-rest", "\n".join(parts[4:]))
    result = run(tmp_path, rest)
    assert only_draft(result) == ("bitcoin", psbt())
    assert "in 3 source(s)" in result.drafts[0].notes[0]
    assert str(tmp_path / "second") in result.drafts[0].source


def test_incomplete_multipart_reports_progress(tmp_path: Path) -> None:
    parts = ur_parts(psbt(), max_fragment_len=100)
    write(tmp_path / "a", "\n".join(parts[:3]))
    result = run(tmp_path)
    assert result.drafts == []
    (refusal,) = result.refused
    assert refusal.code == "ur_incomplete" and refusal.sha256
    assert f"3 distinct parts of {len(parts)}" in refusal.message
    assert "% recovered" in refusal.message


def test_two_multipart_messages_in_the_same_files_stay_apart(tmp_path: Path) -> None:
    first = ur_parts(psbt(), max_fragment_len=150)
    second = ur_parts(envelope_bytes(draft_bytes("ethereum")), "bytes", max_fragment_len=150)
    write(tmp_path / "a", "\n".join(first[::2] + second[::2]))
    write(tmp_path / "b", "\n".join(second[1::2] + first[1::2]))
    result = run(tmp_path)
    assert result.refused == []
    assert sorted(d.chain for d in result.drafts) == ["bitcoin", "ethereum"]


def test_a_bad_line_is_refused_and_the_others_still_join(tmp_path: Path) -> None:
    parts = ur_parts(psbt(), max_fragment_len=200)
    broken = parts[0][:-6] + ("a" if parts[0][-6] != "a" else "b") + parts[0][-5:]
    write(tmp_path / "a", "\n".join([broken, "hello", *parts]))
    result = run(tmp_path)
    assert only_draft(IntakeResult(result.drafts, [])) == ("bitcoin", psbt())
    sources = [r.source for r in result.refused]
    assert sources == [f"{tmp_path / 'a'}:1", f"{tmp_path / 'a'}:2"]
    assert [r.code for r in result.refused] == ["ur_checksum", "ur_malformed"]


def test_qr_png_with_base64_psbt_and_with_envelope(tmp_path: Path) -> None:
    write(tmp_path / "a", png_frame(base64.b64encode(psbt()).decode()))
    write(tmp_path / "b", png_frame(envelope_bytes(draft_bytes("ethereum")).decode()))
    result = run(tmp_path)
    assert result.refused == []
    assert [(d.source, d.chain) for d in result.drafts] == [
        (f"qr:{tmp_path / 'a'}", "bitcoin"), (f"qr:{tmp_path / 'b'}", "ethereum")]
    assert result.drafts[1].envelope is not None


def test_qr_png_frames_of_a_multipart_ur(tmp_path: Path) -> None:
    for name, content in export_files("WD-1", psbt(), max_fragment_len=150).items():
        if name.endswith(".png"):
            write(tmp_path / name, content)
    result = run(tmp_path)
    assert only_draft(result) == ("bitcoin", psbt())
    assert "joined from" in result.drafts[0].notes[0]


def gif(contents: list[str]) -> bytes:
    frames = [Image.open(io.BytesIO(png_frame(c, scale=3))).convert("L") for c in contents]
    size = max(f.width for f in frames)
    canvas = [Image.new("L", (size, size), 255) for _ in frames]
    for back, frame in zip(canvas, frames, strict=True):
        back.paste(frame, (0, 0))
    out = io.BytesIO()
    canvas[0].save(out, format="GIF", save_all=True, append_images=canvas[1:], duration=200,
                   loop=0)
    return out.getvalue()


def test_animated_gif_of_ur_parts_with_repeats(tmp_path: Path) -> None:
    parts = ur_parts(psbt(), max_fragment_len=150)
    result = run(write(tmp_path / "anim", gif(parts + parts[:2])))
    assert only_draft(result) == ("bitcoin", psbt())
    assert f"{len(parts)} distinct parts" in result.drafts[0].notes[0]


def test_gif_repeating_one_code_gives_one_draft(tmp_path: Path) -> None:
    text = base64.b64encode(psbt()).decode()
    result = run(write(tmp_path / "still.gif", gif([text, "hello", text])))
    assert [(d.source, d.payload) for d in result.drafts] == [
        (f"{tmp_path / 'still.gif'}#frame1", psbt())]
    assert [r.source for r in result.refused] == [f"{tmp_path / 'still.gif'}#frame2"]


def test_jpeg_qr(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.open(io.BytesIO(png_frame(base64.b64encode(psbt()).decode()))).convert("L").save(
        out, format="JPEG", quality=85)
    assert only_draft(run(write(tmp_path / "photo", out.getvalue()))) == ("bitcoin", psbt())


def test_two_codes_in_one_picture(tmp_path: Path) -> None:
    left = Image.open(io.BytesIO(png_frame(base64.b64encode(psbt()).decode()))).convert("L")
    right = Image.open(io.BytesIO(png_frame("not a draft"))).convert("L")
    both = Image.new("L", (left.width + right.width, left.height), 255)
    both.paste(left, (0, 0))
    both.paste(right, (left.width, 0))
    out = io.BytesIO()
    both.save(out, format="PNG")
    result = run(write(tmp_path / "two", out.getvalue()))
    assert [d.chain for d in result.drafts] == ["bitcoin"]
    assert [r.code for r in result.refused] == ["unrecognised_format"]
    assert result.refused[0].source == f"qr:{tmp_path / 'two'}#code2"
    assert result.drafts[0].source == f"qr:{tmp_path / 'two'}#code1"


def test_images_without_codes_and_broken_images(tmp_path: Path) -> None:
    blank = io.BytesIO()
    Image.new("L", (64, 64), 255).save(blank, format="PNG")
    write(tmp_path / "blank", blank.getvalue())
    write(tmp_path / "cut", png_frame("hello")[:60])
    write(tmp_path / "qr-of-a-qr", png_frame(segno.make("x").png_data_uri()))
    result = run(tmp_path)
    assert result.drafts == []
    assert [r.code for r in result.refused] == ["no_qr_code", "qr_bad_image",
                                                "unrecognised_format"]


def test_things_that_are_not_drafts(tmp_path: Path) -> None:
    cases = {
        "a-array": (b"[1, 2]", "unrecognised_format"),
        "b-other-format": (b'{"format": "invoice/3"}', "unrecognised_format"),
        "c-json-object": (b'{"hello": 1}', "unknown_field"),
        "d-deep": (b'{"a": [[[[1]]]]}', "bad_json"),
        "e-base64-not-psbt": (base64.b64encode(b"hello world, not a psbt"), "unrecognised_format"),
        "f-psbt-junk": (b"psbt\xff\x01\x00", "psbt_malformed"),
        "g-ur-seed": (encode_single(UR("crypto-seed", b"\x40")).encode(), "ur_unsupported_type"),
        "h-ur-psbt-junk": (encode_single(UR.wrap("crypto-psbt", b"junk")).encode(),
                           "psbt_malformed"),
        "i-ur-bytes-image": (encode_single(UR.wrap("bytes", png_frame("x"))).encode(),
                             "unrecognised_format"),
        "j-unknown-key": (envelope_bytes(draft_bytes(), key_id="vault-9"), "unknown_vault_key"),
        "k-text": (b"please sign this", "unrecognised_format"),
        "l-draft-format-wrong": (draft_bytes(format="airsign-draft/9"), "bad_draft"),
        "m-envelope-no-format": (b'{"signature": "", "body": ""}', "bad_envelope"),
        "n-format-number": (b'{"format": 1}', "bad_json"),
    }
    for name, (content, _) in cases.items():
        write(tmp_path / name, content)
    result = run(tmp_path)
    assert result.drafts == []
    assert {Path(r.source).name.split(":")[0]: r.code for r in result.refused} == {
        name: code for name, (_, code) in cases.items()}
    assert all(r.sha256 and r.source in r.message for r in result.refused)
