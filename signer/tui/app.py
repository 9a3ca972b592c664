"""The airsign Textual app: one screen per task, the dashboard first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from signer.tui.audit_screen import AuditScreen
from signer.tui.ceremony_wizard import CeremonyWizard
from signer.tui.dashboard import Dashboard
from signer.tui.drafts_screen import DraftsScreen
from signer.tui.export_screen import ExportScreen
from signer.tui.holds_screen import HoldsScreen
from signer.tui.intake_screen import IntakeScreen
from signer.tui.policy_screen import PolicyScreen
from signer.tui.recovery_wizard import RecoveryWizard
from signer.tui.signing_screen import SigningScreen
from signer.usecases.appliance import Appliance


class AirsignApp(App[None]):
    """Keyboard-only; every action is in the footer."""

    TITLE = "airsign"
    SUB_TITLE = "cold-wallet signing appliance"
    CSS_PATH = "airsign.tcss"
    # The palette would be a second, hidden way in; every action is a footer key instead.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("d", "show_dashboard", "Home", show=False),
        Binding("a", "show_audit", "Audit"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, appliance: Appliance, inbox: Path | None = None) -> None:
        super().__init__()
        self.appliance = appliance
        self.inbox = inbox if inbox is not None else _default_inbox(appliance)
        # Drafts the operator reviewed and marked in this session; signing takes these.
        self.marked: set[str] = set()

    def on_mount(self) -> None:
        self.push_screen(Dashboard(self.appliance))

    def action_show_dashboard(self) -> None:
        if not isinstance(self.screen, Dashboard):
            self.pop_to_dashboard()

    def action_show_audit(self) -> None:
        self.action_open("audit")

    def action_open(self, name: str) -> None:
        """Open one task screen on top of the dashboard (never a deep stack)."""
        self.pop_to_dashboard()
        self.push_screen(self._task_screen(name))

    def _task_screen(self, name: str) -> Screen[None]:
        appliance = self.appliance
        screens: dict[str, Callable[[], Screen[None]]] = {
            "intake": lambda: IntakeScreen(appliance, self.inbox),
            "drafts": lambda: DraftsScreen(appliance, self.marked),
            "signing": lambda: SigningScreen(appliance, self.marked),
            "export": lambda: ExportScreen(appliance),
            "holds": lambda: HoldsScreen(appliance),
            "policy": lambda: PolicyScreen(appliance),
            "audit": lambda: AuditScreen(appliance),
            "ceremony": lambda: CeremonyWizard(appliance),
            "recovery": lambda: RecoveryWizard(appliance),
        }
        return screens[name]()

    def pop_to_dashboard(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()


def _default_inbox(appliance: Appliance) -> Path:
    """The home's sibling ``inbox/`` when it exists, else the home's parent directory."""
    parent = appliance.home.path.parent
    inbox = parent / "inbox"
    return inbox if inbox.is_dir() else parent
