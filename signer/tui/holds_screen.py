"""The hold queue: delayed drafts with their countdown, quorum release, circuit breaker reset."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from signer.errors import AirsignError
from signer.risk import SqlLedger
from signer.store import draft_views
from signer.store.clock import iso
from signer.store.draft_state import DraftState
from signer.tui.draft_text import countdown, detail, first_words
from signer.tui.widgets import QuorumDialog, plain, problem, read_pins
from signer.usecases import holds
from signer.usecases.appliance import Appliance

REFRESH_SECONDS = 30


class HoldsScreen(Screen[None]):
    BINDINGS = [
        Binding("r", "release", "Release (2 holders)"),
        Binding("b", "reset_breaker", "Reset breaker"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, appliance: Appliance) -> None:
        super().__init__()
        self.appliance = appliance
        self.details: dict[str, str] = {}  # by draft id: the detail line under the table

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="holds-breaker", classes="panel")
        yield DataTable(id="holds-table", cursor_type="row")
        # The table cell is cut to fit; the highlighted draft is said here in full.
        yield Static("", id="holds-detail", classes="detail")
        yield Static("r releases the highlighted draft early: two holders log in and a "
                     "written reason is journaled.", id="holds-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("id", "countdown", "why", "what it does")
        self.query_one(DataTable).focus()
        self.set_interval(REFRESH_SECONDS, self.refresh_queue)

    def on_screen_resume(self) -> None:
        self.refresh_queue()

    def refresh_queue(self) -> None:
        ledger = SqlLedger(self.appliance.conn)
        breaker = ledger.breaker()
        self.query_one("#holds-breaker", Static).update(
            f"Circuit breaker: [!] OPEN since {iso(breaker.tripped_at)}: signing is halted "
            "until two holders reset it (b)" if breaker.tripped_at else
            "Circuit breaker: closed (signing allowed)")
        table = self.query_one(DataTable)
        table.clear()
        self.details.clear()
        now = self.appliance.clock()
        # Only the delayed drafts, filtered in the database, in import order.
        delayed = draft_views.draft_list(self.appliance.conn, DraftState.DELAYED).drafts
        for row in reversed([draft.row for draft in delayed]):
            hold = ledger.hold(row.id)
            codes = ",".join(r["code"] for r in row.reasons)
            left = countdown(hold.not_before if hold else None, now)
            table.add_row(row.id, _short(left), codes, plain(first_words(row, 30)), key=row.id)
            # The table cuts at 80 columns; the line under it says the highlighted one whole.
            self.details[row.id] = f"{row.id}: {left}\n" + detail(self.appliance, row.id)
        if not table.row_count:
            self._say("No delayed drafts.")
            self.query_one("#holds-detail", Static).update("")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        detail = self.details.get(str(event.row_key.value), "")
        self.query_one("#holds-detail", Static).update(detail)

    def _say(self, text: str) -> None:
        self.query_one("#holds-status", Static).update(text)

    def _highlighted(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @work
    async def action_release(self) -> None:
        draft_id = self._highlighted()
        if draft_id is None:
            self._say("[!] no delayed draft to release")
            return
        quorum = await self.app.push_screen_wait(QuorumDialog(f"Release draft {draft_id} early"))
        if quorum is None:
            return
        holders, reason = quorum
        pins = await read_pins(self.app, self.appliance, holders, f"to release {draft_id}")
        if pins is None:
            self._say("PIN entry cancelled: nothing released")
            return
        self._say(f"releasing {draft_id}…")
        self.run_quorum(draft_id, holders, reason, pins)

    @work
    async def action_reset_breaker(self) -> None:
        quorum = await self.app.push_screen_wait(QuorumDialog("Reset the circuit breaker"))
        if quorum is None:
            return
        holders, reason = quorum
        pins = await read_pins(self.app, self.appliance, holders, "to reset the breaker")
        if pins is None:
            self._say("PIN entry cancelled: breaker unchanged")
            return
        self._say("resetting the circuit breaker…")
        self.run_quorum(None, holders, reason, pins)

    @work(thread=True, exclusive=True, group="appliance")
    def run_quorum(
        self, draft_id: str | None, holders: list[str], reason: str, pins: dict[str, str]
    ) -> None:
        by = ",".join(holders)
        try:
            if draft_id is None:
                holds.reset_circuit_breaker(self.appliance, by, reason, pins.__getitem__)
                text = f"Circuit breaker RESET by {by}: signing may resume"
            else:
                holds.release(self.appliance, draft_id, by, reason, pins.__getitem__)
                text = f"Draft {draft_id} RELEASED by {by}; review and sign it now (Esc, l)"
        except AirsignError as error:
            text = plain(problem(error)) + "\n    Nothing changed; fix this and try again."
        pins.clear()
        self.app.call_from_thread(self._finish, text)

    def _finish(self, text: str) -> None:
        self.refresh_queue()
        self._say(text)


def _short(countdown_text: str) -> str:
    """The countdown as the table column holds it (the detail line has the sentence)."""
    if countdown_text.startswith("releases in "):
        return countdown_text.removeprefix("releases in ")
    return "quorum only" if "quorum" in countdown_text else "due now"
