"""SVG snapshot of the recovery wizard with one share card accepted (issue 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from signer.tui.app import AirsignApp
from signer.tui.recovery_wizard import RecoveryWizard
from signer.usecases.appliance import Appliance
from tests.conftest import Cli


def test_recovery_wizard_with_one_share_entered(snap_compare: Any, wallet_cli: Cli,
                                                tmp_path: Path) -> None:
    appliance = Appliance.open(wallet_cli.home)
    app = AirsignApp(appliance)
    card = tmp_path / "shares" / "B-g1-2.txt"  # written by the wallet_cli ceremony

    async def enter_one_share(pilot: Pilot[None]) -> None:
        wizard = RecoveryWizard(appliance)
        await app.push_screen(wizard)
        wizard.query_one("#holder", Input).value = "B"
        wizard.query_one("#card", Input).focus()
        wizard.query_one("#card", Input).value = str(card)
        await pilot.press("enter")
        await pilot.pause()
        status = str(wizard.query_one("#recovery-status", Static).render())
        assert "share accepted" in status

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=enter_one_share)
    finally:
        appliance.close()
