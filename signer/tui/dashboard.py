"""The dashboard: air gap, tokens and holders, wallet, queue, breaker, lockouts, policy."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from ceremony.drills import drill_status
from signer.chains.registered_wallet import dashboard_lines, wallet_summary
from signer.errors import AirsignError
from signer.risk import SqlLedger
from signer.store import audit, draft_views, lockouts
from signer.store.clock import iso
from signer.store.home import HOLDER_IDS
from signer.tui.draft_text import QUEUE_ORDER
from signer.tui.widgets import TwoRowFooter
from signer.usecases import airgap
from signer.usecases.appliance import Appliance
from signer.usecases.policy import active_policy
from signer.usecases.token_overview import token_overview
from signer.usecases.wallet import find_wallet


class Dashboard(Screen[None]):
    """Home screen. HSM queries run in a worker; the screen never blocks on them."""

    BINDINGS = [
        Binding("i", "app.open('intake')", "Import"),
        Binding("l", "app.open('drafts')", "Drafts"),
        Binding("s", "app.open('signing')", "Sign"),
        Binding("e", "app.open('export')", "Export"),
        Binding("h", "app.open('holds')", "Holds"),
        Binding("p", "app.open('policy')", "Policy"),
        Binding("c", "app.open('ceremony')", "Ceremony"),
        Binding("k", "app.open('recovery')", "Recover"),
        Binding("r", "refresh", "Refresh"),
    ]

    def __init__(self, appliance: Appliance) -> None:
        super().__init__()
        self.appliance = appliance

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("checking network…", id="banner")
        with VerticalScroll():
            yield Static("Tokens: reading the HSM…", id="tokens", classes="panel")
            yield Static("Wallet: reading…", id="wallet", classes="panel")
            yield Static("Queue: reading…", id="queue", classes="panel")
            yield Static("Backups and journal: checking…", id="backups", classes="panel")
        yield TwoRowFooter(compact=True)

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self._show_airgap()
        self.load_state()
        self.load_tokens()

    def _show_airgap(self) -> None:
        status = airgap.check()
        banner = self.query_one("#banner", Static)
        banner.update(status.summary())
        banner.set_class(not status.ok, "networked")
        banner.set_class(status.ok, "airgapped")

    @work(thread=True, exclusive=True, group="state")
    def load_state(self) -> None:
        wallet, queue = wallet_text(self.appliance), queue_text(self.appliance)
        backups = backups_text(self.appliance)
        self.app.call_from_thread(self._show_state, wallet, queue, backups)

    def _show_state(self, wallet: str, queue: str, backups: str) -> None:
        self.query_one("#wallet", Static).update(wallet)
        self.query_one("#queue", Static).update(queue)
        self.query_one("#backups", Static).update(backups)

    @work(thread=True, exclusive=True, group="tokens")
    def load_tokens(self) -> None:
        try:
            overview: dict[str, Any] | str = token_overview(self.appliance)
        except AirsignError as error:
            overview = f"Tokens: [!] {error.message}"
        self.app.call_from_thread(self._show_tokens, overview)

    def _show_tokens(self, overview: dict[str, Any] | str) -> None:
        panel = self.query_one("#tokens", Static)
        if isinstance(overview, str):
            panel.update(overview)
            return
        # The heading sits in the frame: at 80x24 every panel, the journal's too, must fit.
        panel.border_title = "Holders and tokens"
        lines = []
        for holder in overview["holders"]:
            presence = "present" if holder["present"] else "ABSENT"
            lock = "LOCKED OUT" if holder["locked"] else f"{holder['failures']} failed PIN(s)"
            lines.append(f"  {holder['id']}  token {holder['token']:<14} {presence:<8} {lock}")
        others = [t["label"] for t in overview["tokens"] if t["label"] and not t["holder"]]
        if others:
            lines.append("  other tokens: " + ", ".join(others))
        panel.update("\n".join(lines))


def backups_text(app: Appliance) -> str:
    """Days since each holder's last successful drill (stale ones marked) and the journal."""
    lines = []
    if find_wallet(app) is not None:
        # One line for the three holders' drills: the dashboard must fit 80x24 whole.
        stale_days = app.home.config.settings.drill_stale_days
        statuses = sorted(drill_status(app).items())
        ages = [f"{holder} " + ("never" if s.days is None else f"{s.days} day(s) ago")
                for holder, s in statuses]
        stale = [holder for holder, s in statuses if s.stale]
        lines.append("Drills: " + ", ".join(ages) + (
            f"; [!] STALE (> {stale_days} days): {','.join(stale)}, k drills"
            if stale else ""))
    # From the last signed checkpoint on, so the first paint does not wait on a year of
    # history; the Audit screen and `audit verify --full` walk all of it.
    result = audit.verify_recent(app.conn)
    if result.ok and result.from_seq > 1:
        lines.append(f"Journal: intact, {result.entries} entries "
                     "(checked since the last checkpoint)")
    elif result.ok:
        lines.append(f"Journal: intact, {result.entries} entries, "
                     f"{result.checkpoints} signed checkpoint(s)")
    else:
        lines.append(f"Journal: [!] BROKEN at seq {result.first_bad_seq}: {result.problem}")
    return "\n".join(lines)


def wallet_text(app: Appliance) -> str:
    wallet = find_wallet(app)
    if wallet is None:
        return "Wallet: none registered yet (run the key ceremony)"
    return "\n".join(dashboard_lines(wallet_summary(wallet)))


def queue_text(app: Appliance) -> str:
    counts = dict.fromkeys(QUEUE_ORDER, 0) | draft_views.state_counts(app.conn)
    names = {"partially_signed": "partially signed"}
    lines = ["Queue: " + " · ".join(f"{counts[s]} {names.get(s, s)}" for s in QUEUE_ORDER[:3]),
             "       " + " · ".join(f"{counts[s]} {names.get(s, s)}" for s in QUEUE_ORDER[3:])]
    breaker = SqlLedger(app.conn).breaker()
    locked = [h for h in HOLDER_IDS if lockouts.state(app.conn, h).locked]
    if not breaker.tripped_at and not locked:  # the usual day: one line, so 80x24 holds all
        lines.append("Circuit breaker: closed · Lockouts: none")
    else:
        lines.append(f"Circuit breaker: [!] OPEN since {iso(breaker.tripped_at)}: signing "
                     "halted (reset on the Holds screen)" if breaker.tripped_at else
                     "Circuit breaker: closed")
        lines.append("Lockouts: none" if not locked else
                     "Lockouts: [!] " + ", ".join(locked) + " LOCKED OUT: two other holders "
                     f"run 'airsign tokens unlock {locked[0]} --holders X,Y'")
    policy = active_policy(app)
    lines.append(f"Policy: {policy.hash[:16]}… applied" if policy else
                 "Policy: [!] NONE APPLIED: nothing will be signed")
    return "\n".join(lines)
