"""Every draft with its state and who signed it; Enter opens the review."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from signer.session.appliance import Appliance
from signer.store import drafts
from signer.tui.draft_text import detail, first_words, state_word
from signer.tui.review_screen import ReviewScreen


class DraftsScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "review", "Review", priority=True),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, appliance: Appliance, marked: set[str]) -> None:
        super().__init__()
        self.appliance = appliance
        self.marked = marked

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Drafts (MARKED = reviewed and marked for signing in this session)",
                     id="drafts-help")
        yield DataTable(id="drafts-table", cursor_type="row", zebra_stripes=True)
        # The table cell is cut to fit; the highlighted draft is said here in full.
        yield Static("", id="drafts-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("mark", "id", "chain", "state", "signed", "what it does")
        table.focus()

    def on_screen_resume(self) -> None:
        table = self.query_one(DataTable)
        row_before = table.cursor_row
        table.clear()
        for row in drafts.listing(self.appliance.conn):
            table.add_row("MARKED" if row.id in self.marked else "", row.id, row.chain,
                          state_word(row), ",".join(row.signatures) or "-",
                          first_words(row, 48), key=row.id)
        if table.row_count:
            table.move_cursor(row=min(row_before, table.row_count - 1))
        else:
            self.query_one("#drafts-help", Static).update(
                "No drafts yet: import some first (Esc, then i).")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.query_one("#drafts-detail", Static).update(
            detail(self.appliance, str(event.row_key.value)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(str(event.row_key.value))

    def action_review(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self._open(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def _open(self, draft_id: str) -> None:
        self.app.push_screen(ReviewScreen(self.appliance, draft_id, self.marked))
