"""`airsign release` by the draft state machine: only a delayed draft is released; an
abandoned one never is (it had been, when its stored verdict was an unreleased delay)."""

from __future__ import annotations

from signer.store import db, drafts, journal
from signer.store.db import transaction
from tests.cli.test_drafts_view import FUTURE, _draft
from tests.conftest import Cli


def _release(cli: Cli, draft_id: str) -> tuple[int, dict[str, str]]:
    code, doc = cli("release", draft_id, "--holders", "A,B", "--reason", "checked by phone")
    return code, doc["error"]


def test_an_abandoned_delayed_draft_is_not_released(cli: Cli) -> None:
    conn = db.connect(cli.home / "state.db")
    held = _draft(conn, 1, "delay", FUTURE)
    with transaction(conn):
        entry = journal.append(conn, "draft_abandoned", "A,B", {"draft": held})
        drafts.abandon(conn, held, entry.seq)
    seq_before = journal.head(conn)[0]
    conn.close()
    code, error = _release(cli, held)
    assert (code, error["code"]) == (3, "abandoned")
    assert error["message"] == (f"draft {held} was abandoned by a quorum: it is never "
                                "released")
    conn = db.connect(cli.home / "state.db")
    row = drafts.get(conn, held)
    assert row is not None and not row.released and journal.head(conn)[0] == seq_before


def test_only_a_delayed_draft_is_released(cli: Cli) -> None:
    conn = db.connect(cli.home / "state.db")
    approved = _draft(conn, 2)
    released = _draft(conn, 3, "delay", FUTURE, released=True)
    conn.close()
    for draft_id, verdict in ((approved, "approve"), (released, "delay")):
        code, error = _release(cli, draft_id)
        assert (code, error["code"]) == (3, "not_delayed")
        assert error["message"] == f"draft {draft_id} is not delayed (verdict {verdict})"
