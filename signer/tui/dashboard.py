"""The dashboard: air gap, tokens and holders, lockouts, wallet."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from signer.errors import AirsignError
from signer.session import airgap
from signer.session.appliance import Appliance
from signer.session.tokens import token_overview


class Dashboard(Screen[None]):
    """Home screen. HSM queries run in a worker; the screen never blocks on them."""

    BINDINGS = [Binding("r", "refresh", "Refresh")]

    def __init__(self, appliance: Appliance) -> None:
        super().__init__()
        self.appliance = appliance

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("checking network…", id="banner")
        with VerticalScroll():
            yield Static("Tokens: reading the HSM…", id="tokens", classes="panel")
            yield Static(self._wallet_text(), id="wallet", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self._show_airgap()
        self.load_tokens()

    def _show_airgap(self) -> None:
        status = airgap.check()
        banner = self.query_one("#banner", Static)
        banner.update(status.summary())
        banner.set_class(not status.ok, "networked")
        banner.set_class(status.ok, "airgapped")

    def _wallet_text(self) -> str:
        return "Wallet: none registered yet (run the key ceremony)"

    @work(thread=True, exclusive=True, group="tokens")
    def load_tokens(self) -> None:
        try:
            overview: dict[str, Any] | str = token_overview(self.appliance)
        except AirsignError as error:
            overview = f"Tokens: {error.message}"
        self.app.call_from_thread(self._show_tokens, overview)

    def _show_tokens(self, overview: dict[str, Any] | str) -> None:
        panel = self.query_one("#tokens", Static)
        if isinstance(overview, str):
            panel.update(overview)
            return
        lines = ["Holders and tokens"]
        for holder in overview["holders"]:
            presence = "present" if holder["present"] else "ABSENT"
            lock = "LOCKED OUT" if holder["locked"] else f"{holder['failures']} failed PIN(s)"
            lines.append(f"  {holder['id']}  token {holder['token']:<14} {presence:<8} {lock}")
        others = [t["label"] for t in overview["tokens"] if t["label"] and not t["holder"]]
        if others:
            lines.append("  other tokens: " + ", ".join(others))
        panel.update("\n".join(lines))
