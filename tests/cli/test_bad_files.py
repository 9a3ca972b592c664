"""Files the operator names on the command line: every bad one is exit 2 with a message
naming it, before any login, and nothing is left half-written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from signer.cli.prompts import read_pin
from tests.conftest import Cli

DEEP_TOML = "x = " + "[" * 5000 + "]" * 5000 + "\n"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.pem"
    os.mkfifo(path)
    return path


def _refused(cli: Cli, code: str, *args: str) -> str:
    exit_code, doc = cli(*args)
    assert (exit_code, doc["error"]["code"]) == (2, code), doc
    return str(doc["error"]["message"])


def test_special_files_are_refused_without_reading_them(
    cli: Cli, pins: str, fifo: Path, tmp_path: Path
) -> None:
    # /dev/zero reports size 0 and never ends; a FIFO would block the command forever.
    for special in ("/dev/zero", str(fifo)):
        message = _refused(cli, "bad_vault_key", "vault-key", "add", special, "--id", "v",
                           "--holders", "A,B")
        assert special in message
        assert _refused(cli, "unreadable", "envelope", "seal", special, "--key", special)
    _, journal = cli("audit", "show", "--kind", "login_ok")
    assert journal["entries"] == []


def test_deeply_nested_toml_is_bad_input_not_a_crash(cli: Cli, pins: str, tmp_path: Path) -> None:
    # Whether tomllib runs out of stack (RecursionError) or parses it and validation
    # refuses the value depends on the recursion limit in force: either way, exit 2.
    deep = tmp_path / "deep.toml"
    deep.write_text(DEEP_TOML)
    assert str(deep) in _refused(cli, "bad_policy", "policy", "check", str(deep))
    assert str(deep) in _refused(
        cli, "bad_ceremony_file", "ceremony", "run", str(deep), "--shares-dir", str(tmp_path),
        "--export-dir", str(tmp_path))
    (cli.home / "appliance.toml").write_text(DEEP_TOML)
    assert "appliance.toml" in _refused(cli, "config_invalid", "tokens")


@pytest.mark.parametrize("holders", [
    '{ A = "holder-a", B = "holder-b" }',
    '{ A = "holder-a", B = "holder-b", C = "holder-c", X = "holder-x" }',
    '{ A = "holder-a", B = "holder-a", C = "holder-c" }',
])
def test_the_config_must_map_exactly_three_holders_to_distinct_tokens(
    cli: Cli, holders: str
) -> None:
    config = cli.home / "appliance.toml"
    text = config.read_text()
    start = text.index("[holders]")
    end = text.index("[settings]")
    config.write_text(text[:start] + "holders = " + holders + "\n\n" + text[end:])
    assert "field 'holders'" in _refused(cli, "config_invalid", "tokens")


def test_an_unusable_out_is_refused_before_the_login_and_writes_nothing(
    cli: Cli, pins: str, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-stick" / "audit.jsonl"
    _refused(cli, "unwritable", "audit", "export", "--out", str(missing), "--holder", "A")
    taken = tmp_path / "audit.jsonl"
    (tmp_path / "audit.jsonl.sig").write_text("an auditor's earlier file\n")
    _refused(cli, "output_exists", "audit", "export", "--out", str(taken), "--holder", "A")
    assert not taken.exists()
    _, journal = cli("audit", "show", "--kind", "login_ok")
    assert journal["entries"] == []


def test_unknown_holders_are_refused_before_any_pin_is_asked(cli: Cli) -> None:
    # No PIN source at all: the refusal must come from the holder name, not the PIN.
    assert "'Z'" in _refused(cli, "unknown_holder", "tokens", "check", "Z")
    assert "'D'" in _refused(cli, "unknown_holder", "tokens", "unlock", "A", "--holders", "B,D")


@pytest.mark.parametrize(("text", "holder", "pin"), [
    ("12=34\n", "A", "12=34"),  # one line is the PIN itself, '=' and all
    ("a=1111\nB=2222\n", "A", "1111"),
    ("A=1111\nB=2222\n", "B", "2222"),
])
def test_pin_files(tmp_path: Path, text: str, holder: str, pin: str) -> None:
    path = tmp_path / "pins"
    path.write_text(text)
    assert read_pin(holder, path) == pin
