"""SVG snapshots of the demo (`make run`) at 80x24, the smallest terminal supported, and at
120x40: the dashboard, the import result of the demo inbox, the review of each demo
attack and the export result.

Regenerate with `pytest tests/tui/test_demo_snapshots.py --snapshot-update` and LOOK at
the SVGs (tests/tui/__snapshots__/test_demo_snapshots/).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from signer.usecases.intake import import_paths
from tests.tui.conftest import fill, settle, text
from tests.tui.demo_home import ATTACKS, Demo
from tests.tui.test_snapshots import _review

Snap = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _import_inbox(demo: Demo) -> None:
    import_paths(demo.app, [Path("inbox")])


@pytest.mark.parametrize("size", SIZES)
def test_demo_dashboard(snap_compare: Snap, demo: Demo, size: tuple[int, int]) -> None:
    app = demo.tui()

    async def painted(pilot: Pilot[None]) -> None:
        await settle(pilot, lambda: "holder-a" in text(app, "#tokens")
                     and "Queue" in text(app, "#queue"))

    assert snap_compare(app, terminal_size=size, run_before=painted)


@pytest.mark.parametrize("size", SIZES)
def test_demo_import_result(snap_compare: Snap, demo: Demo, size: tuple[int, int]) -> None:
    app = demo.tui()

    async def import_inbox(pilot: Pilot[None]) -> None:
        await pilot.press("i", "i")  # the dashboard's Import, then the highlighted inbox
        await settle(pilot, lambda: "Next:" in text(app, "#intake-result"))

    assert snap_compare(app, terminal_size=size, run_before=import_inbox)


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("size", SIZES)
def test_demo_attack_review(
    snap_compare: Snap, demo: Demo, size: tuple[int, int], attack: str
) -> None:
    _import_inbox(demo)
    app = demo.tui()
    assert snap_compare(app, terminal_size=size,
                        run_before=_review(app, demo.draft_from(attack)))


@pytest.mark.parametrize("size", SIZES)
def test_demo_export_result(
    snap_compare: Snap, demo: Demo, size: tuple[int, int], user_pin: str
) -> None:
    _import_inbox(demo)
    demo.sign_approved(user_pin)
    app = demo.tui()

    async def export(pilot: Pilot[None]) -> Any:
        await pilot.press("e")
        await fill(pilot, "usb")
        await pilot.press("enter")
        await settle(pilot, lambda: "MANIFEST" in text(app, "#export-result"))

    assert snap_compare(app, terminal_size=size, run_before=export)
