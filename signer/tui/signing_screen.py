"""A signing session: one holder, their PIN, the marked drafts signed one by one in a worker."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, ProgressBar, Static

from signer.errors import AirsignError, HsmError, LockedOut
from signer.store import drafts, lockouts
from signer.store.draft_views import ListedDraft
from signer.store.home import HOLDER_IDS
from signer.tui.draft_text import state_word
from signer.tui.widgets import pin_dialog, plain, problem
from signer.usecases.appliance import Appliance
from signer.usecases.describe import headline
from signer.usecases.sign_drafts import sign_drafts


class SigningScreen(Screen[None]):
    BINDINGS = [
        Binding("t", "next_holder", "Next holder"),
        Binding("g", "sign", "Sign as holder"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, appliance: Appliance, marked: set[str]) -> None:
        super().__init__()
        self.appliance = appliance
        self.marked = marked
        self.signed = 0
        self.holder_index = 0
        self.log_lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="signing-holder")
        yield Static("", id="signing-drafts", classes="panel")
        yield ProgressBar(total=1, show_eta=False, id="signing-progress")
        yield Static("Signatures made: 0", id="signing-count")
        with VerticalScroll(id="signing-log-box"):
            yield Static("", id="signing-log")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_holder()

    def action_next_holder(self) -> None:
        self.holder_index = (self.holder_index + 1) % len(HOLDER_IDS)
        self._show_holder()

    def _show_holder(self) -> None:
        holder = self._holder()
        self.query_one("#signing-holder", Static).update(
            f"Signing as holder {holder} (token {self.appliance.token_label(holder)}); "
            "t chooses another holder, g signs")

    def on_screen_resume(self) -> None:
        self.query_one("#signing-drafts", Static).update("\n".join(self._draft_lines()))

    def _open_marked(self) -> list[drafts.Draft]:
        """The marked drafts still short of the quorum, in import order: read by id, not by
        reading every draft of the home."""
        rows = [row for draft_id in self.marked
                if (row := drafts.get(self.appliance.conn, draft_id)) is not None]
        return sorted((r for r in rows if not r.complete), key=lambda r: r.imported_seq)

    def _batch(self) -> list[str]:
        return [r.id for r in self._open_marked()]

    def _draft_lines(self) -> list[str]:
        rows = self._open_marked()
        if not rows and self.marked:
            return ["Every marked draft carries the quorum of signatures: export them (Esc, e)."]
        if not rows:
            return ["No drafts marked for signing. Review them first: Esc, l, Enter, m."]
        return [f"Marked for signing ({len(rows)}):"] + [
            f"  {r.id} {state_word(r):<16} signed by {ListedDraft(r).signers():<5} "
            f"\n    {plain(headline(r))}" for r in rows]

    def _holder(self) -> str:
        return HOLDER_IDS[self.holder_index]

    def action_sign(self) -> None:
        batch = self._batch()
        if not batch:
            self._log("[!] nothing to sign: review and mark drafts first (Esc, l, Enter, m)")
            return
        holder = self._holder()
        why = f"to sign {len(batch)} draft(s) as holder {holder}"
        self.app.push_screen(pin_dialog(self.appliance, holder, why),
                             lambda pin: self._start(holder, batch, pin))

    def _start(self, holder: str, batch: list[str], pin: str | None) -> None:
        if pin is None:
            self._log("PIN entry cancelled: nothing signed")
            return
        self.query_one(ProgressBar).update(total=len(batch), progress=0)
        self._log(f"holder {holder}: signing {len(batch)} draft(s)…")
        self.run_signing(holder, batch, pin)

    @work(thread=True, exclusive=True, group="appliance")
    def run_signing(self, holder: str, batch: list[str], pin: str) -> None:
        # One login per draft: the progress bar is true and every signature is
        # followed by a signed journal checkpoint, even if power fails mid-batch.
        for draft_id in batch:
            try:
                report = sign_drafts(self.appliance, [draft_id], [holder], lambda _h: pin)
            except AirsignError as error:
                self.app.call_from_thread(self._log, self._login_problem(holder, error))
                break
            lines = [f"SIGNED {s.id} as holder {s.holder}"
                     + (": quorum reached" if s.complete else "") for s in report.signed]
            lines += [f"[!] REFUSED {r.id}: {r.code}: {plain(r.message)}"
                      for r in report.refused]
            self.app.call_from_thread(self._progress, len(report.signed), lines)

    def _login_problem(self, holder: str, error: AirsignError) -> str:
        if isinstance(error, LockedOut):
            return (f"[!] LOCKED OUT: {plain(error.message)}\n    Holder {holder} signs "
                    "nothing until then; another holder can sign now.")
        if isinstance(error, HsmError) and error.code == "wrong_pin":
            state = lockouts.state(self.appliance.conn, holder)
            limit = self.appliance.home.config.settings.max_pin_failures
            return (f"[!] WRONG PIN for holder {holder} ({state.failures} of {limit} failures "
                    "before lockout). Batch stopped; press g to try again.")
        return plain(problem(error)) + "\n    Batch stopped: fix this, then press g again."

    def _progress(self, made: int, lines: list[str]) -> None:
        # Count, log and the drafts panel change in one callback: the screen never shows
        # a draft's signature in the log while the panel still says it lacks it.
        self.signed += made
        self.query_one(ProgressBar).advance(1)
        self.query_one("#signing-count", Static).update(f"Signatures made: {self.signed}")
        for line in lines:
            self._log(line)
        self.on_screen_resume()

    def _log(self, line: str) -> None:
        self.log_lines.append(line)
        self.query_one("#signing-log", Static).update("\n".join(self.log_lines))
        self.query_one("#signing-log-box", VerticalScroll).scroll_end(animate=False)
