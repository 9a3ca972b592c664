"""Abandoning a signed draft from the drafts screen: what it could still do is shown, two
holders and a reason confirm, the coins are free for a new draft."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from signer.store import drafts, journal
from signer.tui.abandon_dialog import AbandonDialog
from signer.tui.app import AirsignApp
from signer.tui.drafts_screen import DraftsScreen
from signer.tui.widgets import PinDialog
from signer.usecases.appliance import Appliance
from signer.usecases.sign_drafts import sign_drafts
from tests.bitcoin.builders import Spend
from tests.tui.conftest import fill, imported, settle, text, type_text, withdrawal
from tests.tui.test_safe_review import _safe_draft

COIN = [Spend((0, 3), 50_000_000)]


async def test_a_signed_draft_is_abandoned_by_two_holders_and_its_coins_sign_again(
    home: Appliance, inbox: Path, user_pin: str
) -> None:
    old = imported(home, withdrawal(home, inbox, "old.psbt", 100_000, spends=COIN))[0]
    report = sign_drafts(home, [old["id"]], ["A", "B"], lambda _holder: user_pin)
    assert report.refused == [] and report.signed[-1].complete is True
    new = imported(home, withdrawal(home, inbox, "new.psbt", 120_000, spends=COIN))[0]
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        assert isinstance(app.screen, DraftsScreen)
        table = app.screen.query_one(DataTable)
        assert [table.get_row_at(i)[1] for i in range(2)] == [new["id"], old["id"]]  # newest first
        await pilot.press("down", "x")
        await settle(pilot, lambda: isinstance(app.screen, AbandonDialog))
        shown = text(app, "#abandon-exposure")
        assert "if broadcast, this transaction still does: Send 0.001 BTC" in shown
        assert "are released for new drafts" in shown
        await type_text(pilot, "A")  # one holder is not a quorum
        await pilot.press("enter")
        await fill(pilot, "never broadcast")
        await pilot.press("enter")
        assert "quorum_size" in text(app, "#quorum-error")
        app.screen.query_one("#holders").value = "B,C"  # type: ignore[attr-defined]
        await pilot.press("enter")
        for _holder in "BC":
            await settle(pilot, lambda: isinstance(app.screen, PinDialog))
            await fill(pilot, user_pin)
            await pilot.press("enter")
        await settle(pilot, lambda: "ABANDONED" in text(app, "#drafts-help"))
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == [new["id"]]
        await pilot.press("v")  # an abandoned draft needs no action: it is in the full view
        assert table.get_row_at(1)[1:4:2] == [old["id"], "ABANDONED"]
    assert drafts.get(home.conn, old["id"]).state == "abandoned"  # type: ignore[union-attr]
    [entry] = journal.entries(home.conn, 0, "draft_abandoned")
    assert (entry.actor, entry.data["by"], entry.data["reason"]) == (
        "B,C", ["B", "C"], "never broadcast")
    report = sign_drafts(home, [new["id"]], ["A", "C"], lambda _holder: user_pin)
    assert report.refused == [] and report.signed[-1].complete is True


async def test_a_safe_drafts_nonce_is_cancelled_from_the_drafts_screen(
    home: Appliance, inbox: Path, user_pin: str
) -> None:
    path = _safe_draft(home, inbox, "eth.json", user_pin, to="0x" + "ab" * 20, value="9")
    [draft] = imported(home, path)
    report = sign_drafts(home, [draft["id"]], ["A", "B"], lambda _holder: user_pin)
    assert report.refused == [], report.refused
    app = AirsignApp(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("l", "c")
        await settle(pilot, lambda: isinstance(app.screen, AbandonDialog))
        assert "if executed on the Safe, this transaction still does" in text(
            app, "#abandon-exposure")
        await type_text(pilot, "A,C")
        await pilot.press("enter")
        await fill(pilot, "transfer failed on chain")
        await pilot.press("enter")
        for _holder in "AC":
            await settle(pilot, lambda: isinstance(app.screen, PinDialog))
            await fill(pilot, user_pin)
            await pilot.press("enter")
        await settle(pilot, lambda: "cancellation" in text(app, "#drafts-help"))
        assert "at nonce 3 created (approve)" in text(app, "#drafts-help")
    [entry] = journal.entries(home.conn, 0, "cancellation_created")
    assert (entry.data["cancels"], entry.data["nonce"], entry.data["by"]) == (
        draft["id"], 3, ["A", "C"])
    report = sign_drafts(home, [entry.data["draft"]], ["B", "C"], lambda _holder: user_pin)
    assert report.refused == [] and report.signed[-1].complete is True


async def test_c_on_a_bitcoin_draft_says_it_has_no_nonce_before_any_holder_types(
    home: Appliance, inbox: Path
) -> None:
    [draft] = imported(home, withdrawal(home, inbox, "btc.psbt", 100_000, spends=COIN))
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l", "c")
        await settle(pilot, lambda: "not_a_safe_draft" in text(app, "#drafts-help"))
        assert isinstance(app.screen, DraftsScreen)  # no dialog, no PIN asked
        assert f"draft {draft['id']} is a Bitcoin draft" in text(app, "#drafts-help")
        assert "x abandons it" in text(app, "#drafts-help")
    assert drafts.get(home.conn, draft["id"]).state == "approved"  # type: ignore[union-attr]
    assert list(journal.entries(home.conn, 0, "draft_abandoned")) == []
