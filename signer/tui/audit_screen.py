"""The audit screen: the journal's last entries (n: more), filtered by kind, and
verification on demand. A home's journal may hold millions of entries: the screen reads
the last PAGE of them, not the whole journal."""

from __future__ import annotations

import json

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from signer.store import audit, journal
from signer.tui.widgets import plain
from signer.usecases.appliance import Appliance

PAGE = 200  # entries read at a time


class AuditScreen(Screen[None]):
    BINDINGS = [
        Binding("v", "verify", "Verify journal"),
        Binding("f", "focus_filter", "Filter by kind"),
        Binding("n", "more", "More"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, appliance: Appliance) -> None:
        super().__init__()
        self.appliance = appliance
        self.data: dict[str, str] = {}  # by seq: the entry in full, for the detail line
        self.kind: str | None = None
        self.limit = PAGE
        self.more = False  # older entries wait: only then does the footer offer n

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="kind (e.g. login_failed); empty = all", id="audit-filter")
        yield Static("press v to verify the journal", id="audit-status")
        yield DataTable(id="audit-table", zebra_stripes=True, cursor_type="row")
        yield Static("", id="audit-detail", classes="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("seq", "time", "kind", "actor", "data")
        self.show_entries(None)
        table.focus()

    def show_entries(self, kind: str | None) -> None:
        if kind != self.kind:
            self.kind, self.limit = kind, PAGE
        table = self.query_one(DataTable)
        table.clear()
        self.data.clear()
        room = max(12, self.app.size.width - 63)  # what the other columns leave of the row
        shown = journal.latest(self.appliance.conn, self.limit + 1, kind or None)
        self.more = len(shown) > self.limit
        self.refresh_bindings()
        if self.more:
            shown = shown[1:]
            self.query_one("#audit-status", Static).update(
                f"the last {len(shown)} entries (n shows {PAGE} older); press v to verify")
        for entry in shown:
            data = json.dumps(entry.data, sort_keys=True)
            self.data[str(entry.seq)] = f"{entry.seq} {entry.kind} by {entry.actor}: {data}"
            table.add_row(str(entry.seq), entry.time, entry.kind, entry.actor,
                          data if len(data) <= room else data[: room - 1] + "…",
                          key=str(entry.seq))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The table shows the start of an entry's data; the line below shows all of it."""
        detail = self.data.get(str(event.row_key.value), "")
        self.query_one("#audit-detail", Static).update(plain(detail))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.show_entries(event.value.strip() or None)
        self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.more if action == "more" else True

    def action_more(self) -> None:
        self.limit += PAGE
        self.show_entries(self.kind)

    def action_focus_filter(self) -> None:
        self.query_one(Input).focus()

    def action_verify(self) -> None:
        self.query_one("#audit-status", Static).update("verifying…")
        self.run_verify()

    @work(thread=True, exclusive=True, group="verify")
    def run_verify(self) -> None:
        result = audit.verify(self.appliance.conn)
        if result.ok:
            text = (
                f"VERIFIED: {result.entries} entries, chain intact, "
                f"{result.checkpoints} checkpoint signature(s) valid"
            )
        else:
            text = f"BROKEN at seq {result.first_bad_seq}: {result.problem}"
        self.app.call_from_thread(self.query_one("#audit-status", Static).update, text)
