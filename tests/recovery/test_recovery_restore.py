"""Restores: authorisation, the empty-token rule, the xpub check, and what is left behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from recovery_support import Ceremony

from signer.hsm.gateway import Gateway
from softhsm.pytest_plugin import TEST_USER_PIN
from tests.conftest import KILLED, killed

B_CARDS = ("B-g1-1", "B-g1-2", "B-g2-1")
C_CARDS = ("C-g1-2", "C-g1-3", "C-g1-5")


def _recover(c: Ceremony, holder: str, cards: tuple[str, ...], *extra: str) -> tuple[int, Any]:
    return c.cli("recover", holder, "--shares", *(str(c.card(n)) for n in cards), *extra)


def _state(c: Ceremony) -> tuple[list[tuple[str, ...]], list[str]]:
    """Current holder-to-token mapping and the journal's kinds."""
    app = c.open()
    try:
        mapping = [tuple(r) for r in app.conn.execute(
            "SELECT holder, token FROM holder_tokens WHERE retired_seq IS NULL ORDER BY holder")]
        kinds = [r[0] for r in app.conn.execute("SELECT kind FROM journal ORDER BY seq")]
    finally:
        app.close()
    return mapping, kinds


def _airsign_keys(c: Ceremony, label: str) -> int:
    gateway = Gateway(c.tokens.module)
    gateway.rescan()  # tokens made after the module loaded
    with gateway.holder(label, TEST_USER_PIN) as session:
        return sum(1 for k in session.keys().values() if k.label.startswith("m/"))


@pytest.mark.parametrize(("holders", "code"), [
    (None, "authorizers_needed"),
    ("B", "holder_cannot_authorize_self"),
    ("A,A", "holders_not_distinct"),
    ("A,B", "holder_cannot_authorize_self"),
    ("D", "unknown_holder"),
])
def test_a_restore_needs_another_holders_login(
    ceremony: Ceremony, holders: str | None, code: str
) -> None:
    ceremony.new_token("holder-b-2")
    before, _ = _state(ceremony)
    extra = ["--token", "holder-b-2"] + (["--holders", holders] if holders else [])
    exit_code, doc = _recover(ceremony, "B", B_CARDS, *extra)
    assert (exit_code, doc["error"]["code"]) == (2, code)
    after, kinds = _state(ceremony)
    assert after == before and kinds[-1] == "restore_failed" and "holder_restored" not in kinds
    assert _airsign_keys(ceremony, "holder-b-2") == 0


def test_two_authorisers_when_the_setting_says_two(ceremony: Ceremony) -> None:
    config = ceremony.home / "appliance.toml"
    config.write_text(config.read_text().replace("restore_authorizers = 1",
                                                 "restore_authorizers = 2"))
    ceremony.new_token("holder-c-2")
    code, doc = _recover(ceremony, "C", C_CARDS, "--token", "holder-c-2", "--holders", "A")
    assert (code, doc["error"]["code"]) == (2, "authorizers_needed")
    code, doc = _recover(ceremony, "C", C_CARDS, "--token", "holder-c-2", "--holders", "B,A")
    assert code == 0, doc
    assert doc["authorized_by"] == ["B", "A"]
    assert _airsign_keys(ceremony, "holder-c-2") == 41
    mapping, kinds = _state(ceremony)
    assert ("C", "holder-c-2") in mapping
    assert kinds.count("holder_restored") == 1


def test_a_token_with_airsign_keys_is_refused(ceremony: Ceremony) -> None:
    # B's own token was never lost: restoring into it would duplicate every key.
    code, doc = _recover(ceremony, "B", B_CARDS, "--token", "holder-b", "--holders", "C")
    assert (code, doc["error"]["code"]) == (2, "token_not_empty")
    assert "'holder-b' already holds 41 airsign key(s)" in doc["error"]["message"]
    code, doc = _recover(ceremony, "B", B_CARDS, "--token", "holder-a", "--holders", "C")
    assert (code, doc["error"]["code"]) == (2, "token_in_use")
    code, doc = _recover(ceremony, "B", B_CARDS, "--holders", "C")
    assert (code, doc["error"]["code"]) == (2, "token_needed")
    assert ("B", "holder-b") in _state(ceremony)[0]


def test_a_wrong_passphrase_imports_nothing(
    ceremony: Ceremony, monkeypatch: pytest.MonkeyPatch
) -> None:
    ceremony.new_token("holder-c-2")
    monkeypatch.setenv("AIRSIGN_PASSPHRASE_C", "not the one")
    code, doc = _recover(ceremony, "C", C_CARDS, "--token", "holder-c-2", "--holders", "A")
    assert (code, doc["error"]["code"]) == (2, "shares_do_not_restore")
    assert doc["error"]["message"].startswith(
        "these shares do not restore holder C of wallet cold-2026")
    assert "wrong or missing passphrase is a possible cause" in doc["error"]["message"]
    assert _airsign_keys(ceremony, "holder-c-2") == 0
    mapping, kinds = _state(ceremony)
    assert ("C", "holder-c") in mapping and "holder_restored" not in kinds
    app = ceremony.open()
    try:
        failed = json.loads(app.conn.execute(
            "SELECT data FROM journal WHERE kind = 'restore_failed'").fetchone()[0])
    finally:
        app.close()
    assert failed["code"] == "shares_do_not_restore" and len(failed["shares"]) == 3


def test_a_restore_counts_as_a_drill(ceremony: Ceremony, tmp_path: Path) -> None:
    ceremony.new_token("holder-b-2")
    code, doc = _recover(ceremony, "B", B_CARDS, "--token", "holder-b-2", "--holders", "C")
    assert code == 0, doc
    code, drills = ceremony.cli("drills")
    assert [(d["holder"], d["days"]) for d in drills["drills"]] == [
        ("A", None), ("B", 0), ("C", None)]
    code, verified = ceremony.cli("audit", "verify")
    assert verified["ok"] is True


@pytest.mark.parametrize("point", ["import_key:20", "holder_restored:1"])
def test_a_restore_killed_half_way_moves_nothing_and_no_token_is_topped_up(
    ceremony: Ceremony, point: str
) -> None:
    """Power lost while keys go in, or just before the new mapping commits."""
    ceremony.new_token("holder-b-2")
    cards = [str(ceremony.card(n)) for n in B_CARDS]
    args = ("recover", "B", "--shares", *cards, "--token", "holder-b-2", "--holders", "C")
    assert killed(ceremony.home, point, *args) == KILLED
    mapping, kinds = _state(ceremony)
    assert ("B", "holder-b") in mapping and "holder_restored" not in kinds
    assert _airsign_keys(ceremony, "holder-b-2") == (20 if point.startswith("import") else 41)
    code, doc = _recover(ceremony, "B", B_CARDS, "--token", "holder-b-2", "--holders", "C")
    assert (code, doc["error"]["code"]) == (2, "token_not_empty")
    ceremony.new_token("holder-b-3")  # a freshly initialised token, as the runbook says
    code, doc = _recover(ceremony, "B", B_CARDS, "--token", "holder-b-3", "--holders", "C")
    assert code == 0, doc
    mapping, kinds = _state(ceremony)
    assert ("B", "holder-b-3") in mapping and kinds.count("holder_restored") == 1
    assert ceremony.cli("audit", "verify")[1]["ok"] is True
