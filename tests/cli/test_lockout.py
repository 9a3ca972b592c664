"""The appliance's own PIN lockout: counted, persisted, enforced without the token."""

from __future__ import annotations

import shutil

import pytest

from softhsm.tokens import TokenSet
from tests.conftest import Cli


def _wrong(cli: Cli, holder: str = "A") -> int:
    code, _ = cli("--pin-file", str(cli.home / "wrong.pin"), "tokens", "check", holder)
    return code


@pytest.fixture
def wrong_pin_file(cli: Cli) -> None:
    (cli.home / "wrong.pin").write_text("definitely-wrong\n")


@pytest.mark.usefixtures("wrong_pin_file", "pins")
def test_five_wrong_pins_lock_and_a_restart_keeps_the_lock(cli: Cli, token_set: TokenSet) -> None:
    assert [_wrong(cli) for _ in range(5)] == [5, 5, 5, 5, 5]
    # A new process (a restart) with the right PIN is refused with exit 6, and the
    # token is never asked: with its files gone, touching it would give exit 5.
    tokens_dir = token_set.directory / "tokens"
    shutil.move(tokens_dir, token_set.directory / "moved-away")
    restarted = cli.subprocess("tokens", "check", "A")
    assert restarted.returncode == 6, restarted.stdout + restarted.stderr
    assert "locked out" in restarted.stdout and "tokens unlock A" in restarted.stdout
    shutil.move(token_set.directory / "moved-away", tokens_dir)
    assert "Traceback" not in restarted.stderr


@pytest.mark.usefixtures("wrong_pin_file", "pins")
def test_every_attempt_is_journaled_without_the_pin(cli: Cli, user_pin: str) -> None:
    for _ in range(5):
        _wrong(cli)
    cli("tokens", "check", "A")
    _, shown = cli("audit", "show")
    kinds = [e["kind"] for e in shown["entries"]]
    assert kinds.count("login_failed") == 5
    assert kinds.count("holder_locked") == 1
    assert kinds.count("login_refused_locked") == 1
    text = str(shown)
    assert "definitely-wrong" not in text and user_pin not in text


@pytest.mark.usefixtures("wrong_pin_file", "pins")
def test_two_other_holders_unlock_and_it_is_journaled(cli: Cli) -> None:
    for _ in range(5):
        _wrong(cli)
    assert cli("tokens", "check", "A")[0] == 6
    code, doc = cli("tokens", "unlock", "A", "--holders", "B,C")
    assert code == 0 and doc["unlocked"] is True
    assert cli("tokens", "check", "A")[0] == 0
    _, shown = cli("audit", "show", "--kind", "holder_unlocked")
    assert [e["data"] for e in shown["entries"]] == [{"holder": "A", "by": ["B", "C"]}]
    assert cli("audit", "verify")[1]["ok"] is True


@pytest.mark.usefixtures("pins")
@pytest.mark.parametrize(
    "holders,code",
    [
        ("B,B", "holders_not_distinct"),
        ("A,B", "holder_cannot_authorize_self"),
        ("B", "quorum_size"),
        ("B,X", "unknown_holder"),
    ],
)
def test_unlock_needs_two_distinct_other_holders(cli: Cli, holders: str, code: str) -> None:
    exit_code, doc = cli("tokens", "unlock", "A", "--holders", holders)
    assert exit_code == 2 and doc["error"]["code"] == code


@pytest.mark.usefixtures("wrong_pin_file", "pins")
def test_a_locked_holder_cannot_authorise_an_unlock(cli: Cli) -> None:
    for _ in range(5):
        _wrong(cli, "B")
    for _ in range(5):
        _wrong(cli, "A")
    exit_code, doc = cli("tokens", "unlock", "A", "--holders", "B,C")
    assert exit_code == 6 and doc["error"]["code"] == "holder_locked"


@pytest.mark.usefixtures("wrong_pin_file", "pins")
def test_a_good_login_resets_the_count(cli: Cli) -> None:
    for _ in range(4):
        _wrong(cli)
    assert cli("tokens", "check", "A")[0] == 0
    _, doc = cli("tokens")
    assert doc["holders"][0]["failures"] == 0
    assert [_wrong(cli) for _ in range(4)] == [5] * 4
