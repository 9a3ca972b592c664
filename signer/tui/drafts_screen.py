"""The drafts that need action (v: every draft), newest first, with their state and who
signed them; Enter opens the review; x abandons the highlighted draft, c cancels a Safe
draft's nonce (two holders, a written reason).

A home may hold hundreds of thousands of drafts: the screen reads one page of them from
the database (PAGE rows, n for the next page), as `airsign drafts` does.

At 80 columns the table has no room for what a draft does in full: the line under the
table says it whole for the highlighted draft (every line of it, with its reasons)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from signer.chains import kinds
from signer.errors import AirsignError
from signer.store import draft_views, drafts
from signer.store.clock import iso
from signer.tui.abandon_dialog import AbandonDialog
from signer.tui.draft_text import detail, first_words, state_word
from signer.tui.review_screen import ReviewScreen
from signer.tui.widgets import TwoRowFooter, plain, problem, read_pins
from signer.usecases import abandoning
from signer.usecases.appliance import Appliance

PAGE = 200  # rows read at a time: a screenful many times over, and fast on any home


class DraftsScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "review", "Review", priority=True),
        Binding("x", "abandon", "Abandon"),
        Binding("c", "cancel_nonce", "Cancel nonce"),
        Binding("v", "toggle_all", "All/needing"),
        Binding("n", "more", "More"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, appliance: Appliance, marked: set[str]) -> None:
        super().__init__()
        self.appliance = appliance
        self.marked = marked
        self.show_all = False  # the needs-action view first, as `airsign drafts` shows
        self.limit = PAGE
        self.more = False  # another page waits: only then does the footer offer n

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Drafts (MARKED = reviewed and marked for signing in this session)",
                     id="drafts-help")
        yield DataTable(id="drafts-table", cursor_type="row", zebra_stripes=True)
        # The table cell is cut to fit; the highlighted draft is said here in full.
        yield Static("", id="drafts-detail", classes="detail")
        yield TwoRowFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("mark", "id", "chain", "state", "signed", "what it does")
        table.focus()

    def on_screen_resume(self) -> None:
        table = self.query_one(DataTable)
        row_before = table.cursor_row
        table.clear()
        listed = draft_views.draft_list(
            self.appliance.conn, draft_views.ALL if self.show_all else draft_views.NEEDS_ACTION,
            now=iso(self.appliance.clock()), limit=self.limit)
        more = self.more = listed.more
        self.refresh_bindings()
        for draft in listed.drafts:
            table.add_row("MARKED" if draft.id in self.marked else "", draft.id, draft.chain,
                          state_word(draft.row), draft.signers(),
                          first_words(draft.row, self._what_width()), key=draft.id)
        if table.row_count:
            table.move_cursor(row=min(row_before, table.row_count - 1))
        self._say(self._help(table.row_count, more))

    def _help(self, shown: int, more: bool) -> str:
        """What this view is, and the keys to the rest of the home's drafts."""
        if not shown:
            return ("No drafts yet: import some first (Esc, then i)." if self.show_all else
                    "No drafts need action: v shows every draft; Esc, then i imports.")
        which = "Every draft" if self.show_all else "Drafts needing action"
        other = "needing action" if self.show_all else "in every state"
        paged = f" (newest {shown}: n shows {PAGE} more)" if more else ", newest first"
        return (f"{which}{paged}; v: drafts {other}\n"
                "MARKED = reviewed and marked for signing in this session")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.more if action == "more" else True

    def action_toggle_all(self) -> None:
        self.show_all, self.limit = not self.show_all, PAGE
        self.query_one(DataTable).move_cursor(row=0)
        self.on_screen_resume()

    def action_more(self) -> None:
        self.limit += PAGE
        self.on_screen_resume()

    def _what_width(self) -> int:
        """Room left for "what it does" once the other columns are drawn (the detail line
        below says it in full)."""
        return max(16, self.app.size.width - 62)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.query_one("#drafts-detail", Static).update(
            detail(self.appliance, str(event.row_key.value)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(str(event.row_key.value))

    def _highlighted(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_review(self) -> None:
        if (draft_id := self._highlighted()) is not None:
            self._open(draft_id)

    def _say(self, text: str) -> None:
        self.query_one("#drafts-help", Static).update(text)

    def action_abandon(self) -> None:
        self._quorum_action("abandon")

    def action_cancel_nonce(self) -> None:
        self._quorum_action("cancel")

    @work
    async def _quorum_action(self, action: str) -> None:
        draft_id = self._highlighted()
        if draft_id is None:
            return
        row = drafts.get(self.appliance.conn, draft_id)
        kind = kinds.kind(row.chain) if row is not None else None
        if action == "cancel" and kind is not None and not kind.can_cancel:
            # Said before two holders type anything: not every kind has a nonce to cancel.
            self._say(f"[!] not_a_safe_draft: draft {draft_id} is {kind.no_cancel_hint}")
            return
        try:
            [shown] = abandoning.preview(self.appliance, [draft_id])
        except AirsignError as error:
            self._say(plain(problem(error)))
            return
        what = "Abandon" if action == "abandon" else "Abandon and cancel the nonce of"
        quorum = await self.app.push_screen_wait(
            AbandonDialog(f"{what} draft {draft_id}?", shown["text"]))
        if quorum is None:
            return
        holders, reason = quorum
        pins = await read_pins(self.app, self.appliance, holders, f"to abandon {draft_id}")
        if pins is None:
            self._say("PIN entry cancelled: nothing abandoned")
            return
        self._say(f"{action} {draft_id}…")
        self._run_quorum(action, draft_id, holders, reason, pins)

    @work(thread=True, exclusive=True, group="appliance")
    def _run_quorum(
        self, action: str, draft_id: str, holders: list[str], reason: str, pins: dict[str, str]
    ) -> None:
        by = ",".join(holders)
        try:
            if action == "abandon":
                abandoning.abandon(self.appliance, [draft_id], by, reason, pins.__getitem__)
                text = f"Draft {draft_id} ABANDONED by {by}: what it claimed is free"
            else:
                doc = abandoning.cancel(self.appliance, draft_id, by, reason, pins.__getitem__)
                text = (f"Draft {draft_id} ABANDONED by {by}; cancellation {doc['id']} at "
                        f"nonce {doc['nonce']} created ({doc['verdict']}): sign and export it")
        except AirsignError as error:
            text = plain(problem(error)) + "\n    Nothing changed; fix this and try again."
        pins.clear()
        self.app.call_from_thread(self._finish, text)

    def _finish(self, text: str) -> None:
        self.on_screen_resume()
        self._say(text)

    def _open(self, draft_id: str) -> None:
        self.app.push_screen(ReviewScreen(self.appliance, draft_id, self.marked))

