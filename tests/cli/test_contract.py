"""The command-line contract: exit codes, JSON output, no tracebacks, one process per home."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from signer.cli.main import run
from softhsm.tokens import TokenSet
from tests.conftest import REPO, Cli


def test_tokens_lists_the_three_holders(cli: Cli) -> None:
    code, doc = cli("tokens")
    assert code == 0
    assert [(h["id"], h["token"], h["present"]) for h in doc["holders"]] == [
        ("A", "holder-a", True),
        ("B", "holder-b", True),
        ("C", "holder-c", True),
    ]
    assert {t["label"] for t in doc["tokens"]} >= {"holder-a", "holder-b", "holder-c"}


def test_wrong_pin_gives_exit_5_and_a_message(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRSIGN_PIN_B", "wrong")
    done = cli.subprocess("tokens", "check", "B", json_output=False)
    assert done.returncode == 5
    assert "wrong PIN for token 'holder-b'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.usefixtures("pins")
def test_a_pin_never_appears_in_argv_or_output(cli: Cli, user_pin: str) -> None:
    done = cli.subprocess("tokens", "check", "A")
    assert done.returncode == 0
    assert user_pin not in done.stdout + done.stderr


def test_absent_token_gives_exit_5(cli: Cli, token_set: TokenSet, pins: str) -> None:
    import shutil

    shutil.rmtree(token_set.directory / "tokens")
    (token_set.directory / "tokens").mkdir()
    done = cli.subprocess("tokens", "check", "C")
    assert done.returncode == 5
    assert json.loads(done.stdout)["error"]["code"] == "token_absent"


def test_missing_module_gives_exit_5(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    assert run(["--home", str(home), "init", "--module", "/nowhere/lib.so"]) == 0
    capsys.readouterr()
    assert run(["--home", str(home), "--json", "tokens"]) == 5
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "module_not_found"


def test_usage_errors_are_exit_2_in_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--home", str(tmp_path), "--json", "no-such-command"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "usage"


def test_a_missing_home_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--home", str(tmp_path / "none"), "--json", "tokens"]) == 2
    assert "airsign init" in json.loads(capsys.readouterr().out)["error"]["message"]


def test_init_never_overwrites_a_home(home_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--home", str(home_path), "--json", "init", "--module", "/x.so"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "home_exists"


def test_a_second_process_on_the_same_home_gets_exit_2(cli: Cli) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from signer.usecases.appliance import Appliance; "
            "a = Appliance.open(__import__('pathlib').Path(sys.argv[1])); "
            "print('open', flush=True); "
            "time.sleep(60)",
            str(cli.home),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        second = cli.subprocess("tokens")
        assert second.returncode == 2
        error = json.loads(second.stdout)["error"]
        assert error["code"] == "home_locked"
        assert "airsign.lock" in error["message"] and str(holder.pid) in error["message"]
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    assert cli.subprocess("tokens").returncode == 0


def test_airgap_reports_interfaces(cli: Cli) -> None:
    code, doc = cli("airgap")
    assert code == (0 if doc["air_gapped"] else 3)
    assert set(doc) == {"air_gapped", "interfaces_up", "wireless", "bluetooth"}


def test_airgap_reads_sysfs(tmp_path: Path) -> None:
    from signer.usecases.airgap import check

    net = tmp_path / "class" / "net"
    for name, state, flags in [
        ("lo", "unknown", "0x9"),
        ("eth0", "down", "0x1002"),
        ("wlan0", "up", "0x1003"),
    ]:
        (net / name).mkdir(parents=True)
        (net / name / "operstate").write_text(state)
        (net / name / "flags").write_text(flags)
    (net / "wlan0" / "wireless").mkdir()
    status = check(tmp_path)
    assert (status.ok, status.interfaces_up, status.wireless) == (False, ["wlan0"], ["wlan0"])
    (net / "wlan0" / "operstate").write_text("down")
    (net / "wlan0" / "flags").write_text("0x1002")
    import shutil

    shutil.rmtree(net / "wlan0")
    assert check(tmp_path).ok


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        run(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("airsign 0.1.0")


@pytest.mark.usefixtures("pins")
def test_audit_export_writes_lines_and_a_verifiable_signature(cli: Cli, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    assert cli("tokens", "check", "B")[0] == 0
    out = tmp_path / "journal.jsonl"
    code, doc = cli("audit", "export", "--out", str(out), "--holder", "B")
    assert code == 0 and doc["files"] == [str(out), str(out) + ".sig"]
    lines = out.read_bytes().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, len(lines) + 1))
    detached = json.loads(Path(str(out) + ".sig").read_text())
    import hashlib

    from signer.canonical import canonical_json

    assert detached["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(detached["public_key"])).verify(
        bytes.fromhex(detached["signature"]),
        canonical_json({"purpose": "airsign-audit-export/1", "sha256": detached["sha256"]}),
    )
    assert cli("audit", "export", "--out", str(out), "--holder", "B")[0] == 2  # never overwrite
