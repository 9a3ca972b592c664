"""The airsign Textual app: one screen per task, the dashboard first."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from signer.session.appliance import Appliance
from signer.tui.audit_screen import AuditScreen
from signer.tui.dashboard import Dashboard


class AirsignApp(App[None]):
    """Keyboard-only; every action is in the footer."""

    TITLE = "airsign"
    SUB_TITLE = "cold-wallet signing appliance"
    CSS_PATH = "airsign.tcss"
    BINDINGS = [
        Binding("d", "show_dashboard", "Dashboard"),
        Binding("a", "show_audit", "Audit"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, appliance: Appliance) -> None:
        super().__init__()
        self.appliance = appliance

    def on_mount(self) -> None:
        self.push_screen(Dashboard(self.appliance))

    def action_show_dashboard(self) -> None:
        if not isinstance(self.screen, Dashboard):
            self.pop_to_dashboard()

    def action_show_audit(self) -> None:
        if not isinstance(self.screen, AuditScreen):
            self.push_screen(AuditScreen(self.appliance))

    def pop_to_dashboard(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
