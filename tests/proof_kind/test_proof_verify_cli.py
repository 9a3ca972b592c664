"""`airsign proof verify` on hostile files: exit 2 with the file and field named, never a
traceback; a well-formed proof that does not hold is exit 3; no home is needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from signer.cli.main import run
from tests.conftest import REPO

EXAMPLE = REPO / "docs" / "examples" / "proof" / "proof-of-reserves.proof.json"


def verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    capsys.readouterr()
    code = run(["--json", "proof", "verify", str(path)])
    return code, json.loads(capsys.readouterr().out)


def example() -> dict[str, Any]:
    return dict(json.loads(EXAMPLE.read_text()))


@pytest.mark.parametrize(("content", "code", "words"), [
    (b"{not json", "bad_proof_file", "expected a proof JSON document"),
    (b'{"type": "proof-of-reserves", "type": "x"}', "bad_proof_file", "duplicate key"),
    (b'{"type": "proof-of-reserves", "message": "m", "bitcoin": [{"a": [[[[1]]]]}]}',
     "bad_proof_file", "nesting deeper"),
    (b'{"type": "proof-of-reserves", "message": "m"}', "bad_proof_file", "at least one"),
    (b'{"type": "proof-of-reserves", "message": 5, "bitcoin": []}', "bad_proof_file",
     "field 'message'"),
    (b'{"type": "proof-of-reserves", "message": "m", "bitcoin": [{"address": "x"}]}',
     "bad_proof_file", "field 'bitcoin[0].bip322_simple'"),
    (b"\xff\xfe", "bad_proof_file", "expected a proof JSON document"),
])
def test_a_file_that_is_not_a_proof_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, code: str, words: str
) -> None:
    path = tmp_path / "x.proof.json"
    path.write_bytes(content)
    status, doc = verify(path, capsys)
    assert status == 2 and doc["error"]["code"] == code and words in doc["error"]["message"]
    assert str(path) in doc["error"]["message"]


def test_a_malformed_safe_part_names_its_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = example()
    doc["ethereum"]["owners"] = "0x" + "11" * 20
    path = tmp_path / "x.proof.json"
    path.write_text(json.dumps(doc))
    status, out = verify(path, capsys)
    assert status == 2 and "ethereum.owners" in out["error"]["message"]


def test_a_missing_file_or_a_directory_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (tmp_path / "absent.json", tmp_path):
        status, out = verify(path, capsys)
        assert status == 2 and out["error"]["code"] == "unreadable"


def test_text_output_names_each_failure_and_quotes_nothing_raw(tmp_path: Path) -> None:
    doc = example()
    doc["bitcoin"][0]["path"] = "/0/0\n\x1b[31mok"  # hostile text in a field shown
    doc["ethereum"]["signatures"] = doc["ethereum"]["signatures"][:-2] + "00"
    path = tmp_path / "x.proof.json"
    path.write_text(json.dumps(doc))
    done = subprocess.run([sys.executable, "-m", "signer", "proof", "verify", str(path)],
                          capture_output=True, text=True, timeout=120, cwd=REPO,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "\x1b" not in done.stdout
    lines = done.stdout.splitlines()
    assert lines[1].startswith("bitcoin ") and lines[1].endswith(": ok")
    assert "Safe " in lines[3] and "FAILED" in lines[3] and "v is 0" in lines[3]
    assert lines[-1] == "PROOF DOES NOT HOLD"
