"""`airsign drafts`: by default what needs action, newest first, in pages.

The drafts are stored rows in each state (written through the store, beside their
journal entries, as import, signing and export write them); the view is the CLI's.
"""

from __future__ import annotations

import sqlite3

import pytest

from signer.cli.main import run
from signer.store import db, drafts, journal
from signer.store.db import transaction
from tests.conftest import Cli

PAST, FUTURE = "2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"


def _draft(conn: sqlite3.Connection, n: int, verdict: str = "approve",
           not_before: str | None = None, signed_by: str = "", complete: bool = False,
           exported: bool = False, released: bool = False) -> str:
    draft_id = f"{n:016x}"
    with transaction(conn):
        entry = journal.append(conn, "draft_imported", "appliance", {"draft": draft_id})
        drafts.insert(conn, draft_id=draft_id, chain="bitcoin", payload=b"psbt",
                      source=f"inbox/{n}.psbt", envelope=None,
                      summary={"words": [f"Send {n} BTC"]}, seq=entry.seq,
                      verdict=(verdict, [], not_before))
        drafts.add_signatures(conn, draft_id, [(h, "00", entry.seq) for h in signed_by])
        for column, on in (("complete", complete), ("exported", exported),
                           ("released", released)):
            if on:
                drafts.mark(conn, draft_id, column)
    return draft_id


@pytest.fixture
def every_state(cli: Cli) -> dict[str, str]:
    conn = db.connect(cli.home / "state.db")
    made = {
        "approved": _draft(conn, 1),
        "delayed_due": _draft(conn, 2, "delay", PAST),
        "delayed_later": _draft(conn, 3, "delay", FUTURE),
        "released": _draft(conn, 4, "delay", FUTURE, released=True),
        "rejected": _draft(conn, 5, "reject"),
        "partially_signed": _draft(conn, 6, signed_by="A"),
        "signed": _draft(conn, 7, signed_by="AB", complete=True),
        "exported": _draft(conn, 8, signed_by="AB", complete=True, exported=True),
        "held": _draft(conn, 9, "delay", None),
    }
    conn.close()
    return made


def test_the_default_view_lists_what_needs_action_newest_first(
    cli: Cli, every_state: dict[str, str]
) -> None:
    code, doc = cli("drafts")
    assert code == 0 and doc["view"] == "needs_action" and doc["next_before"] is None
    listed = [(d["id"], d["state"]) for d in doc["drafts"]]
    wanted = ["held", "signed", "partially_signed", "released", "delayed_due", "approved"]
    assert [i for i, _ in listed] == [every_state[name] for name in wanted]
    assert dict(listed)[every_state["released"]] == "approved"
    assert dict(listed)[every_state["delayed_due"]] == "delayed"


def test_all_and_state_show_the_rest(cli: Cli, every_state: dict[str, str]) -> None:
    code, doc = cli("drafts", "--all")
    assert code == 0 and doc["view"] == "all"
    assert [d["id"] for d in doc["drafts"]] == sorted(every_state.values(), reverse=True)
    _, exported = cli("drafts", "--state", "exported")
    assert [d["id"] for d in exported["drafts"]] == [every_state["exported"]]
    _, delayed = cli("drafts", "--state", "delayed")
    assert [d["id"] for d in delayed["drafts"]] == [
        every_state[name] for name in ("held", "delayed_later", "delayed_due")]
    _, rejected = cli("drafts", "--state", "rejected")
    assert [d["state"] for d in rejected["drafts"]] == ["rejected"]


def test_pages_follow_next_before_to_the_end(cli: Cli) -> None:
    conn = db.connect(cli.home / "state.db")
    ids = [_draft(conn, n) for n in range(1, 8)]
    conn.close()
    seen: list[str] = []
    args: tuple[str, ...] = ("drafts", "--limit", "3")
    pages = 0
    while True:
        code, doc = cli(*args)
        assert code == 0 and len(doc["drafts"]) <= 3
        seen += [d["id"] for d in doc["drafts"]]
        pages += 1
        if doc["next_before"] is None:
            break
        assert doc["next_before"] == doc["drafts"][-1]["id"]
        args = ("drafts", "--limit", "3", "--before", doc["next_before"])
    assert pages == 3 and seen == ids[::-1]
    assert len(cli("drafts", "--limit", "0")[1]["drafts"]) == 7


def test_text_output_names_the_next_page(
    cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = db.connect(cli.home / "state.db")
    ids = [_draft(conn, n) for n in range(1, 4)]
    conn.close()
    capsys.readouterr()
    assert run(["--home", str(cli.home), "drafts", "--all", "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[:2]] == [ids[2], ids[1]]
    assert lines[2] == f"(more: airsign drafts --all --before {ids[1]})"


def test_nothing_to_do_says_where_the_rest_is(
    cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = db.connect(cli.home / "state.db")
    _draft(conn, 1, signed_by="AB", complete=True, exported=True)
    conn.close()
    assert cli("drafts")[1]["drafts"] == []
    capsys.readouterr()
    assert run(["--home", str(cli.home), "drafts"]) == 0
    assert "drafts --all" in capsys.readouterr().out


@pytest.mark.parametrize("args", [("--limit", "-1"), ("--limit", "many"),
                                  ("--all", "--state", "signed")])
def test_bad_view_options_are_usage_errors(cli: Cli, args: tuple[str, ...]) -> None:
    code, _ = cli("drafts", *args)
    assert code == 2


def test_before_an_unknown_draft_is_named(cli: Cli) -> None:
    code, doc = cli("drafts", "--before", "abcdef")
    assert code == 2 and doc["error"]["code"] == "unknown_draft"
