"""A home with more drafts and journal entries than a screen should read at once: the
Drafts screen opens on one page of the needs-action view, the Audit screen on the last
page of the journal, and more of either comes on demand."""

from __future__ import annotations

from pathlib import Path

from signer.store import drafts, journal
from signer.store.db import transaction
from signer.tui.app import AirsignApp
from signer.tui.audit_screen import AuditScreen
from signer.tui.drafts_screen import PAGE, DraftsScreen
from signer.tui.review_screen import ReviewScreen
from signer.usecases.appliance import Appliance
from tests.tui.conftest import imported, settle, text, withdrawal
from tests.tui.screen_text import screen_text

OPEN, REJECTED = 2 * PAGE + 50, 30


def _grow(home: Appliance, model: str) -> tuple[list[str], list[str]]:
    """Copies of a real imported draft under new ids, each with its own import entry in
    the journal, as intake writes them: OPEN approved ones, then REJECTED rejected ones."""
    ids: dict[str, list[str]] = {"approve": [], "reject": []}
    with transaction(home.conn):
        for n in range(OPEN + REJECTED):
            verdict = "approve" if n < OPEN else "reject"
            draft_id = f"{n:016x}"
            entry = journal.append(home.conn, "draft_imported", "intake",
                                   {"draft": draft_id, "copy_of": model}, home.clock)
            home.conn.execute(
                "INSERT INTO drafts(id, chain, payload, source, envelope, summary, verdict, "
                "reasons, not_before, imported_seq) SELECT ?, chain, payload, source, "
                "envelope, summary, ?, reasons, not_before, ? FROM drafts WHERE id = ?",
                (draft_id, verdict, entry.seq, model))
            ids[verdict].append(draft_id)
    return ids["approve"], ids["reject"]


def _rows(app: AirsignApp) -> list[str]:
    table = app.screen.query_one("#drafts-table")
    return [str(key.value) for key in table.rows]  # type: ignore[attr-defined]


async def test_the_drafts_screen_pages_the_needs_action_view_and_shows_all_on_v(
    home: Appliance, inbox: Path
) -> None:
    [real] = imported(home, withdrawal(home, inbox, "one.psbt", 100_000))
    approved, rejected = _grow(home, real["id"])
    newest_first = [*reversed(approved), real["id"]]
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(pilot, lambda: isinstance(app.screen, DraftsScreen))
        assert _rows(app) == newest_first[:PAGE]
        assert f"Drafts needing action (newest {PAGE}: n shows {PAGE} more)" in text(
            app, "#drafts-help")
        assert "n More" in screen_text(app)
        await pilot.press("n")
        assert _rows(app) == newest_first[: 2 * PAGE]
        await pilot.press("n")
        assert _rows(app) == newest_first  # every open draft, and not one rejected
        assert "Drafts needing action, newest first; v: drafts in every state" in text(
            app, "#drafts-help")
        await pilot.pause()
        assert "n More" not in screen_text(app)  # no further page: the key is not offered

        await pilot.press("v")
        every = [*reversed(rejected), *newest_first]
        assert _rows(app) == every[:PAGE]
        assert f"Every draft (newest {PAGE}: n shows {PAGE} more)" in text(app, "#drafts-help")
        assert drafts.get(home.conn, _rows(app)[0]).state == "rejected"  # type: ignore[union-attr]
        await pilot.press("n", "n")
        assert _rows(app) == every
        await pilot.press("v")
        assert _rows(app) == newest_first[:PAGE]

        await pilot.press("enter")  # the page is a real table: Enter reviews the draft
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert app.screen.draft_id == newest_first[0]  # type: ignore[attr-defined]


async def test_the_audit_screen_shows_the_last_entries_and_older_ones_on_n(
    home: Appliance, inbox: Path
) -> None:
    [real] = imported(home, withdrawal(home, inbox, "one.psbt", 100_000))
    _grow(home, real["id"])
    head, _ = journal.head(home.conn)
    assert head > 2 * PAGE
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, AuditScreen))
        table = app.screen.query_one("#audit-table")
        seqs = [int(str(key.value)) for key in table.rows]  # type: ignore[attr-defined]
        assert seqs == list(range(head - PAGE + 1, head + 1))  # the newest, in journal order
        assert f"the last {PAGE} entries (n shows {PAGE} older)" in text(app, "#audit-status")
        await pilot.press("n")
        seqs = [int(str(key.value)) for key in table.rows]  # type: ignore[attr-defined]
        assert seqs == list(range(head - 2 * PAGE + 1, head + 1))
        await pilot.press("f")
        await pilot.press(*"login_ok", "enter")  # a filter pages its own kind from the end
        kinds = {str(table.get_row_at(i)[2])  # type: ignore[attr-defined]
                 for i in range(table.row_count)}  # type: ignore[attr-defined]
        assert kinds == {"login_ok"}
