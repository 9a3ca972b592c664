"""docs/tui.md shows every screen as a text capture at 80x24; this test walks the demo as a
holder would (dashboard, import, review, sign, export, holds, audit, policy, wizards),
captures each screen and compares it with the guide's block of the same name.

Only what changes from one run to the next is normalised: journal times (the demo is made
at the real time). Regenerate the guide's captures with
`AIRSIGN_UPDATE_TUI_GUIDE=1 pytest tests/tui/test_tui_guide.py` and read the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from textual.pilot import Pilot

from signer.tui.export_screen import ExportScreen
from signer.tui.review_screen import ReviewScreen
from signer.tui.widgets import PinDialog
from tests.tui.conftest import fill, settle, text
from tests.tui.demo_home import Demo
from tests.tui.screen_text import screen_text

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "tui.md"
BLOCK = re.compile(r"<!-- capture: (?P<name>[\w-]+) -->\n```text\n(?P<body>.*?)```", re.S)
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
DEMO_DIR = re.compile(r"/tmp/airsign-demo-\w{8}")


def normalised(capture: str) -> str:
    """Journal times and the demo's temporary directory (same length, so same wrapping)."""
    return DEMO_DIR.sub("/tmp/airsign-demo-xxxxxxxx", TIME.sub("2026-11-23T10:00:00Z", capture))


async def holder_walk(pilot: Pilot[None], demo: Demo, pin: str) -> dict[str, str]:
    """The demo from a fresh `make run` to an export, one capture per screen."""
    app = pilot.app
    shots: dict[str, str] = {}

    def shot(name: str) -> None:
        shots[name] = normalised(screen_text(app))

    await settle(pilot, lambda: "holder-a" in text(app, "#tokens")  # type: ignore[arg-type]
                 and "q Quit" in screen_text(app))
    shot("dashboard")
    await pilot.press("i")
    shot("intake")
    await pilot.press("i")
    await settle(pilot, lambda: "Next:" in text(app, "#intake-result"))  # type: ignore[arg-type]
    shot("import-result")
    await pilot.press("pagedown")
    shot("import-result-scrolled")

    await pilot.press("escape", "l")
    shot("drafts-needing-action")
    await pilot.press("v")  # the attacks are rejected: they need no action, all drafts shows them
    evil = demo.draft_from("04-fraudulent-change.psbt")
    await pilot.press(*_moves(app, evil))
    shot("drafts")
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
    shot("review-attack")

    good = demo.draft_from("01-withdrawal-0.015-btc.json")
    await pilot.press("escape")
    await pilot.press(*_moves(app, good), "enter")
    await settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
    await pilot.press("m")
    await settle(pilot, lambda: "MARKED" in text(app, "#review-status"))  # type: ignore[arg-type]
    shot("review-marked")

    await pilot.press("escape", "escape", "s", "g")
    await settle(pilot, lambda: isinstance(app.screen, PinDialog))
    shot("pin")
    await fill(pilot, pin)
    await pilot.press("enter")
    await settle(pilot, lambda: "as holder A" in text(app, "#signing-log"))  # type: ignore[arg-type]
    await pilot.press("t", "g")
    await settle(pilot, lambda: isinstance(app.screen, PinDialog))
    await fill(pilot, pin)
    await pilot.press("enter")
    await settle(pilot, lambda: "quorum reached" in text(app, "#signing-log"))  # type: ignore[arg-type]
    await pilot.pause(0.2)  # the progress bar's last repaint
    shot("signing")

    await pilot.press("escape", "e")
    await settle(pilot, lambda: isinstance(app.screen, ExportScreen))
    shot("export")
    await fill(pilot, "usb")
    await pilot.press("enter")
    await settle(pilot, lambda: "MANIFEST" in text(app, "#export-result"))  # type: ignore[arg-type]
    shot("export-result")

    await pilot.press("escape", "a", "f")
    await fill(pilot, "draft_imported")  # the journal's first entries name this machine's paths
    await pilot.press("enter")
    await pilot.pause(0.3)
    shot("audit")
    for key, name in (("h", "holds"), ("p", "policy"), ("c", "ceremony"), ("k", "recovery")):
        await pilot.press("escape", key)
        await pilot.pause(0.3)
        shot(name)
    return shots


def _moves(app: object, draft_id: str) -> list[str]:
    """The arrow keys a holder presses to reach a draft in the drafts table."""
    table = app.screen.query_one("#drafts-table")  # type: ignore[attr-defined]
    steps = next(i for i, key in enumerate(table.rows) if key.value == draft_id) - table.cursor_row
    return ["down"] * steps if steps > 0 else ["up"] * -steps


async def test_the_guide_shows_the_screens_as_the_app_draws_them(demo: Demo, user_pin: str) -> None:
    app = demo.tui()
    async with app.run_test(size=(80, 24)) as pilot:
        shots = await holder_walk(pilot, demo, user_pin)
    guide = GUIDE.read_text()
    if os.environ.get("AIRSIGN_UPDATE_TUI_GUIDE"):
        guide = BLOCK.sub(lambda m: _block(m["name"], shots[m["name"]]), guide)
        GUIDE.write_text(guide)
    documented = {m["name"]: m["body"].removesuffix("\n") for m in BLOCK.finditer(guide)}
    assert set(documented) == set(shots), "the guide and the walk capture different screens"
    for name, capture in shots.items():
        assert documented[name] == capture, f"docs/tui.md capture {name!r} differs from the app"


def _block(name: str, capture: str) -> str:
    return f"<!-- capture: {name} -->\n```text\n{capture}\n```"
