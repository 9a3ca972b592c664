"""SVG snapshots of the screens that matter most (pytest-textual-snapshot).

Deterministic by construction: fixed ceremony entropy and clock (conftest), the air
gap stubbed, and every screenshot taken only after the workers have painted.
Regenerate with `pytest tests/tui/test_snapshots.py --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from signer.chains.bitcoin.psbt_file import psbt_bytes
from signer.tui.app import AirsignApp
from signer.tui.widgets import PinDialog
from signer.usecases.appliance import Appliance
from signer.usecases.wallet import load_wallet
from tests.bitcoin.builders import Spend, build_psbt, external_script
from tests.tui.conftest import fill, imported, settle, text, withdrawal

Snap = Callable[..., bool]


@pytest.fixture
def inbox() -> Iterator[Path]:
    """An inbox at a path of fixed length: the review screen shows a draft's source, and
    the length of pytest's numbered temporary directory (pytest-0 on a fresh machine,
    pytest-123 later) would otherwise move the line wrapping the snapshots compare."""
    path = Path(tempfile.mkdtemp(prefix="airsign-inbox-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _fraudulent_change(app: Appliance, inbox: Path) -> Path:
    """The online side swapped the change script for its own and kept the derivation path."""
    psbt = build_psbt(load_wallet(app).bitcoin, [Spend((0, 3), 100_000_000)],
                      [(external_script("x"), 1_000_000)], change=((1, 0), 98_990_000))
    psbt.tx.vout[1].script_pubkey = psbt.outputs[1].script_pubkey = type(
        psbt.outputs[1].script_pubkey)(external_script("attacker"))
    path = inbox / "evil.psbt"
    path.write_bytes(psbt_bytes(psbt))
    return path


def _queue(home: Appliance, inbox: Path) -> dict[str, dict[str, Any]]:
    drafts = imported(home, withdrawal(home, inbox, "ok.psbt", 100_000),
                      withdrawal(home, inbox, "big.psbt", 300_000_000, spend=400_000_000,
                                 spends=[Spend((0, 1), 400_000_000)]),
                      _fraudulent_change(home, inbox))
    return {d["verdict"]: d for d in drafts}


def _review(app: AirsignApp, draft_id: str) -> Callable[[Pilot[None]], Any]:
    async def open_review(pilot: Pilot[None]) -> None:
        await pilot.press("l", "v")  # every draft: a rejected one needs no action
        table = app.screen.query_one("#drafts-table")
        row = next(i for i, key in enumerate(table.rows) if key.value == draft_id)  # type: ignore[attr-defined]
        table.move_cursor(row=row)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, lambda: draft_id in text(app, "#review-status"))

    return open_review


def test_dashboard(snap_compare: Snap, home: Appliance, inbox: Path) -> None:
    _queue(home, inbox)
    app = AirsignApp(home)

    async def painted(pilot: Pilot[None]) -> None:
        await settle(pilot, lambda: "holder-a" in text(app, "#tokens")
                     and "Queue" in text(app, "#queue"))

    assert snap_compare(app, terminal_size=(80, 24), run_before=painted)


def test_review_approve(snap_compare: Snap, home: Appliance, inbox: Path) -> None:
    draft = _queue(home, inbox)["approve"]
    app = AirsignApp(home)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_review(app, draft["id"]))


def test_review_delay(snap_compare: Snap, home: Appliance, inbox: Path) -> None:
    draft = _queue(home, inbox)["delay"]
    app = AirsignApp(home)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_review(app, draft["id"]))


def test_review_reject(snap_compare: Snap, home: Appliance, inbox: Path) -> None:
    draft = _queue(home, inbox)["reject"]
    app = AirsignApp(home)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_review(app, draft["id"]))


def test_signing_progress(
    snap_compare: Snap, home: Appliance, inbox: Path, user_pin: str
) -> None:
    ids = [d["id"] for d in imported(
        home, withdrawal(home, inbox, "one.psbt", 100_000),
        withdrawal(home, inbox, "two.psbt", 200_000, spends=[Spend((0, 2), 50_000_000)]))]
    app = AirsignApp(home)
    app.marked.update(ids)

    async def sign_as_a(pilot: Pilot[None]) -> None:
        await pilot.press("s", "g")
        await settle(pilot, lambda: isinstance(app.screen, PinDialog))
        await fill(pilot, user_pin)
        await pilot.press("enter")
        await settle(pilot, lambda: f"SIGNED {ids[1]}" in text(app, "#signing-log"))
        await pilot.pause(0.2)  # let the progress bar's last repaint land

    assert snap_compare(app, terminal_size=(80, 24), run_before=sign_as_a)
