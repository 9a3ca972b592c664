"""The demo at 80x24, as a new holder meets it: nothing they must read is cut or hidden.

What the screens must show is taken from the store (the verdicts and reasons the
appliance recorded), never from the screens' own code.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from signer.chains.address_text import grouped
from signer.store import drafts
from signer.tui.widgets import QuorumDialog
from tests.tui.conftest import settle, text
from tests.tui.demo_home import Demo
from tests.tui.screen_text import screen_text

ORDER = ("reject", "delay", "approve")
SCROLLBAR = "▁▂▃▄▅▆▇█ "


def _box_lines(capture: str) -> list[str]:
    """The lines inside the import result's frame (the only framed box there), without the
    frame and the scrollbar drawn inside it."""
    return [line[1:-1].rstrip().rstrip(SCROLLBAR).strip()
            for line in capture.splitlines() if line.startswith("│") and line.endswith("│")]


async def _scroll_through(pilot: Pilot[None]) -> tuple[str, str]:
    """The first page of the result, and everything read by pressing PgDn to the end."""
    app = pilot.app
    first = screen_text(app)
    read = _box_lines(first)
    for _ in range(20):
        before = screen_text(app)
        await pilot.press("pagedown")
        await pilot.pause(0.1)
        after = screen_text(app)
        if after == before:
            break
        page = _box_lines(after)
        # Pages overlap when the last one is short: keep only the lines not read yet.
        overlap = next(n for n in range(len(page), -1, -1) if read[len(read) - n:] == page[:n])
        read += page[overlap:]
    return first, "\n".join(read)


async def test_at_80x24_every_imported_verdict_is_read_on_the_import_screen_attacks_first(
    demo: Demo,
) -> None:
    app = demo.tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: "holder-a" in text(app, "#tokens")
                     and "q Quit" in screen_text(app))
        dashboard = screen_text(app)
        assert "a Audit" in dashboard and "q Quit" in dashboard

        await pilot.press("i", "i")  # Import, then the highlighted inbox
        await settle(pilot, lambda: "Next:" in text(app, "#intake-result"))
        first, read = await _scroll_through(pilot)

    stored = drafts.listing(demo.app.conn)
    assert len(stored) == 6
    flat = " ".join(read.split())  # wrapped lines joined: a reason may span two
    for row in stored:
        assert f"{row.verdict.upper()} {row.id}" in flat, row.id
        for reason in row.reasons:
            assert f"{reason['code']}: {' '.join(reason['message'].split())}" in flat
    position = {row.id: flat.index(row.id) for row in stored}
    by_verdict = {v: [position[r.id] for r in stored if r.verdict == v] for v in ORDER}
    assert len(by_verdict["reject"]) == 3
    assert max(by_verdict["reject"]) < min(by_verdict["delay"])
    assert max(by_verdict["delay"]) < min(by_verdict["approve"])
    # The keyboard did the work: the approvals were below the fold at first.
    assert not any(r.id in first for r in stored if r.verdict == "approve")
    assert read.rstrip().endswith("opens its review.")


async def test_at_80x24_the_drafts_table_says_the_highlighted_draft_in_full(demo: Demo) -> None:
    from pathlib import Path

    from signer.usecases.intake import import_paths

    import_paths(demo.app, [Path("inbox")])
    evil = drafts.get(demo.app.conn, demo.draft_from("04-fraudulent-change.psbt"))
    assert evil is not None
    app = demo.tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l", "v")  # the attack is rejected: in the every-draft view
        table = app.screen.query_one("#drafts-table")
        row = next(i for i, key in enumerate(table.rows) if key.value == evil.id)  # type: ignore[attr-defined]
        await pilot.press(*["down"] * row)
        await pilot.pause(0.2)
        detail = " ".join(screen_text(app).split())  # what the holder sees, every line
        for output in evil.summary["outputs"]:
            assert grouped(output["address"]) in detail  # in full, grouped for reading aloud
        assert "fraudulent_change" in detail
        assert all("…" not in line or line.endswith("…") for line in screen_text(app).splitlines())


async def test_at_80x24_no_placeholder_is_clipped(demo: Demo) -> None:
    app = demo.tui()
    async with app.run_test(size=(80, 24)) as pilot:
        # Every screen, and the quorum dialog (Holds, b) over one.
        for keys in (["i"], ["e"], ["a"], ["c"], ["k"], ["h"], ["l"], ["p"], ["s"], ["h", "b"]):
            await pilot.press("escape", "escape", *keys)
            await pilot.pause(0.2)
            assert keys != ["h", "b"] or isinstance(app.screen, QuorumDialog)
            for field in app.screen.query(Input):
                if field.placeholder:
                    assert len(field.placeholder) <= field.content_region.width, (
                        keys, field.id, field.placeholder)


async def test_the_export_screen_says_why_nothing_is_waiting(demo: Demo, user_pin: str) -> None:
    from pathlib import Path

    from signer.usecases.intake import import_paths

    import_paths(demo.app, [Path("inbox")])
    app = demo.tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        assert "Nothing waiting for export." in text(app, "#export-drafts")
        assert "2 draft(s) still need the quorum of signatures" in text(app, "#export-drafts")
        await pilot.press("enter")
        assert "[!] nothing to export" in text(app, "#export-result")
        assert not list((demo.root / "usb").iterdir())
