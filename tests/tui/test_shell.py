"""The TUI shell driven through Textual's Pilot against a real home and SoftHSM tokens."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from signer.tui.app import AirsignApp
from signer.tui.audit_screen import AuditScreen
from signer.tui.dashboard import Dashboard
from signer.usecases import airgap
from signer.usecases.airgap import AirGap
from signer.usecases.appliance import Appliance


def _text(app: AirsignApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _settle(app: AirsignApp, pilot, until) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        await pilot.pause(0.05)
        if until():
            return
    raise AssertionError("the screen never showed what was expected")


@pytest.mark.parametrize("networked", [True, False])
async def test_dashboard_shows_airgap_tokens_and_holders(
    appliance: Appliance, monkeypatch: pytest.MonkeyPatch, networked: bool
) -> None:
    status = AirGap(interfaces_up=["eth0"]) if networked else AirGap()
    monkeypatch.setattr(airgap, "check", lambda: status)
    app = AirsignApp(appliance)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot, lambda: "holder-a" in _text(app, "#tokens"))
        assert isinstance(app.screen, Dashboard)
        banner = app.screen.query_one("#banner", Static)
        assert banner.has_class("networked") is networked
        # The state is in words too, never in colour alone.
        assert ("NETWORKED: interfaces up: eth0" if networked else "AIR-GAPPED") in _text(
            app, "#banner"
        )
        tokens = _text(app, "#tokens")
        for holder, label in (("A", "holder-a"), ("B", "holder-b"), ("C", "holder-c")):
            assert f"{holder}  token {label}" in tokens
        assert tokens.count("present") == 3
        footer_keys = set(app.active_bindings)
        assert {"d", "a", "q", "r"} <= footer_keys


async def test_dashboard_shows_a_locked_holder(appliance: Appliance) -> None:
    from signer.store import lockouts
    from signer.store.db import transaction

    with transaction(appliance.conn):
        for _ in range(5):
            lockouts.record_failure(appliance.conn, "B", 5, "2026-11-23T10:00:00Z")
    app = AirsignApp(appliance)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot, lambda: "holder-b" in _text(app, "#tokens"))
        line = next(x for x in _text(app, "#tokens").splitlines() if x.strip().startswith("B"))
        assert "LOCKED OUT" in line


async def test_dashboard_says_when_a_token_is_absent(appliance: Appliance, token_set) -> None:  # type: ignore[no-untyped-def]
    import shutil

    shutil.rmtree(token_set.directory / "tokens")
    (token_set.directory / "tokens").mkdir()
    appliance.gateway.rescan()
    app = AirsignApp(appliance)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot, lambda: "ABSENT" in _text(app, "#tokens"))
        assert _text(app, "#tokens").count("ABSENT") == 3


async def test_audit_screen_lists_filters_and_verifies(appliance: Appliance) -> None:
    for n in range(3):
        appliance.record("login_failed", "A", {"holder": "A", "failures": n + 1})
    app = AirsignApp(appliance)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, AuditScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 4  # home_created + 3 failures
        await pilot.press("f")
        for key in "login_failed":
            await pilot.press(key)
        await pilot.press("enter")
        assert table.row_count == 3
        await pilot.press("v")
        await _settle(app, pilot, lambda: "VERIFIED" in _text(app, "#audit-status"))
        assert "4 entries" in _text(app, "#audit-status")
        appliance.conn.execute("UPDATE journal SET actor = 'Z' WHERE seq = 2")
        await pilot.press("v")
        await _settle(app, pilot, lambda: "BROKEN" in _text(app, "#audit-status"))
        assert "seq 2" in _text(app, "#audit-status")
        await pilot.press("escape")
        assert isinstance(app.screen, Dashboard)
