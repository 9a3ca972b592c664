"""Inputs that once produced an internal error or an unsafe message (found in review)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from intake_samples import draft, envelope_bytes, run, safe_tx

from signer.transport.qr import png_frame


def test_lone_surrogate_escapes_are_refused_not_crashed(tmp_path: Path) -> None:
    # json.loads accepts "\ud800" but the canonical Safe tx bytes could not be encoded:
    # this was refused as internal_error (UnicodeEncodeError) before strict_json checked it.
    doc = draft("ethereum")
    doc["payload"]["safe_tx"]["safe"] = "\ud800"
    body = json.dumps(doc).encode()
    (tmp_path / "a-envelope").write_bytes(envelope_bytes(body))
    (tmp_path / "b-plain").write_bytes(body)
    (tmp_path / "c-safe-tx").write_bytes(json.dumps(dict(safe_tx(), to="\udc00")).encode())
    (tmp_path / "d-qr").write_bytes(png_frame(json.dumps(dict(safe_tx(), to="\udc00"))))
    result = run(tmp_path)
    assert result.drafts == []
    # a plain file is refused while its JSON is read, before it is known to be a draft
    assert [r.code for r in result.refused] == ["bad_draft_body", "bad_json", "bad_json",
                                                "bad_json"]
    assert all("valid pair" in r.message for r in result.refused)


def test_hostile_key_names_cannot_forge_output_lines(tmp_path: Path) -> None:
    # The Safe tx parser quotes an unknown key name in its message.
    (tmp_path / "tx").write_bytes(json.dumps({"\nAPPROVED\u2028\u202e": 1, **safe_tx()}).encode())
    doc = draft()
    doc["\r\nOK"] = 1
    (tmp_path / "z-draft").write_bytes(json.dumps(doc).encode())
    result = run(tmp_path)
    assert [r.code for r in result.refused] == ["unknown_field", "bad_draft"]
    for refusal in result.refused:
        assert refusal.message.isprintable(), refusal.message
    assert "\\x0aAPPROVED\\u2028\\u202e" in result.refused[0].message


def test_counted_ur_part_refusals_name_their_file_and_its_hash(tmp_path: Path) -> None:
    # Found by tests/intake/test_intake_fuzz.py: a file of many bad UR lines is refused as
    # a few named parts plus one counted entry, and that entry lacked the file's SHA-256.
    content = b"\n".join(b"ur:psbt/%d-9/lpadxx" % n for n in range(1, 12))
    (tmp_path / "parts.txt").write_bytes(content)
    result = run(tmp_path)
    assert len(result.refused) == 4, result.refused
    counted = result.refused[-1]
    assert "more UR parts refused" in counted.message and "parts.txt" in counted.message
    assert counted.sha256 == hashlib.sha256(content).hexdigest()
    assert all(r.sha256 for r in result.refused)
