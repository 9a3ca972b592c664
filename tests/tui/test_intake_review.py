"""Intake and review through the keyboard: what the screens show and what the journal holds."""

from __future__ import annotations

import hashlib
from pathlib import Path

from textual.widgets import DataTable, DirectoryTree

from signer.chains.address_text import grouped
from signer.store import drafts, journal
from signer.tui.app import AirsignApp
from signer.tui.intake_screen import IntakeScreen
from signer.tui.review_screen import ReviewScreen
from signer.tui.widgets import TypedConfirm
from signer.usecases.appliance import Appliance
from signer.usecases.hash_words import hash_words
from tests.tui.conftest import imported, settle, text, type_text, withdrawal


async def test_intake_imports_the_inbox_and_shows_verdicts_and_refusals(
    home: Appliance, inbox: Path
) -> None:
    withdrawal(home, inbox, "ok.psbt", 100_000)
    withdrawal(home, inbox, "big.psbt", 300_000_000, spend=400_000_000)
    (inbox / "junk.psbt").write_text("this is not a PSBT")
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        assert isinstance(app.screen, IntakeScreen)
        tree = app.screen.query_one(DirectoryTree)
        assert Path(tree.path) == inbox  # the home's sibling inbox/ is the default start
        await settle(pilot, lambda: tree.cursor_node is not None)
        await pilot.press("i")  # the root (the inbox directory) is highlighted
        await settle(pilot, lambda: "Next:" in text(app, "#intake-result"))
        result = text(app, "#intake-result")
        rows = {r.source.rsplit("/", 1)[-1]: r for r in drafts.listing(home.conn)}
        assert set(rows) == {"ok.psbt", "big.psbt"}
        assert f"APPROVE {rows['ok.psbt'].id}: Send 0.001 BTC to bcrt1q " in result
        assert f"[!] DELAY {rows['big.psbt'].id}: Send 3 BTC to bcrt1q " in result
        assert "max_per_draft:" in result
        assert "[!] REFUSED" in result and "junk.psbt" in result
        refused = list(journal.entries(home.conn, 0, "import_refused"))
        assert [e.data["source"].rsplit("/", 1)[-1] for e in refused] == ["junk.psbt"]
        assert app.screen.query_one("#intake-progress").percentage == 1.0  # type: ignore[attr-defined]


async def test_review_shows_words_reasons_hash_words_and_raw_fields(
    home: Appliance, inbox: Path
) -> None:
    [draft] = imported(home, withdrawal(home, inbox, "ok.psbt", 100_000))
    row = drafts.get(home.conn, draft["id"])
    assert row is not None
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l", "enter")
        assert isinstance(app.screen, ReviewScreen)
        assert f"Draft {row.id} (bitcoin): APPROVED · not marked" in text(app, "#review-status")
        [paid] = [o for o in row.summary["outputs"] if o["kind"] == "EXTERNAL"]
        what = text(app, "#review-what")
        assert f"Send {paid['amount']} BTC to an address not ours:" in what
        assert grouped(paid["address"]) in what
        assert "Verdict APPROVE" in text(app, "#review-verdict")
        words = hash_words(row.payload)  # unsigned: the stored payload is the imported one
        assert " ".join(words).upper() in text(app, "#review-words")
        raw = text(app, "#review-raw")
        for line in row.summary["inputs"]:
            assert line["outpoint"] in raw
        assert "EXTERNAL" in raw and "CHANGE" in raw.upper()
        await pilot.press("m")
        await settle(pilot, lambda: "MARKED for signing" in text(app, "#review-status"))
        assert app.marked == {row.id}
        [entry] = journal.entries(home.conn, 0, "draft_reviewed")
        assert entry.data == {"draft": row.id, "spoken_hash": " ".join(words),
                              "payload_sha256": hashlib.sha256(row.payload).hexdigest(),
                              "typed_confirmation": False}
        await pilot.press("escape")
        table = app.screen.query_one(DataTable)
        assert table.get_row_at(0)[0] == "MARKED"


async def test_a_rejected_or_delayed_draft_cannot_be_marked(home: Appliance, inbox: Path) -> None:
    big = imported(home, withdrawal(home, inbox, "big.psbt", 300_000_000, spend=400_000_000))[0]
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l", "enter", "m")
        status = text(app, "#review-status")
        assert f"[!] Draft {big['id']} is DELAYED" in status and "Holds screen" in status
        assert "[!] max_per_draft:" in text(app, "#review-verdict")
        assert app.marked == set()
        assert list(journal.entries(home.conn, 0, "draft_reviewed")) == []


async def test_an_unusual_draft_needs_the_typed_id(home: Appliance, inbox: Path) -> None:
    # 2 BTC: above half the 2.5 BTC per-draft limit, approved but unusual.
    [draft] = imported(home, withdrawal(home, inbox, "large.psbt", 200_000_000,
                                        spend=300_000_000))
    assert draft["verdict"] == "approve"
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l", "enter", "m")
        await settle(pilot, lambda: isinstance(app.screen, TypedConfirm))
        await type_text(pilot, "0000" if not draft["id"].startswith("0000") else "ffff")
        await pilot.press("enter")
        assert isinstance(app.screen, TypedConfirm)
        assert "does not match" in text(app, "#typed-error")
        await pilot.press("escape")
        await settle(pilot, lambda: "NOT marked" in text(app, "#review-status"))
        assert app.marked == set()
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, TypedConfirm))
        await type_text(pilot, draft["id"][:4])
        await pilot.press("enter")
        await settle(pilot, lambda: "MARKED for signing" in text(app, "#review-status"))
    [entry] = journal.entries(home.conn, 0, "draft_reviewed")
    assert entry.data["typed_confirmation"] is True and app.marked == {draft["id"]}
