"""Export signed drafts to a directory (USB), optionally shown as an animated QR.

Both the list of drafts ready and the result scroll with the keyboard: an export names
every file it wrote and the manifest, and none of it may be cut at 80x24.
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from signer.errors import AirsignError
from signer.store import draft_views, drafts
from signer.store.draft_state import DraftState
from signer.tui.qr_screen import QrScreen, qr_source
from signer.tui.widgets import plain, problem
from signer.usecases.appliance import Appliance
from signer.usecases.describe import headline
from signer.usecases.exporting import MANIFEST, ExportReport, export_drafts

# Where the demo and the runbook put removable media, tried in this order for the default.
DEFAULT_OUT_DIRS = ("outbox", "usb-out", "usb")
SCROLL_HINT = "↑↓ PgUp PgDn scroll · Tab moves"


class ExportScreen(Screen[None]):
    BINDINGS = [
        Binding("f3", "toggle_qr_files", "QR files on/off"),
        Binding("f2", "show_qr", "Show QR"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, appliance: Appliance) -> None:
        super().__init__()
        self.appliance = appliance
        self.exported: list[str] = []
        self.qr_files = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="export-drafts-box", classes="panel"):
            yield Static("", id="export-drafts")
        yield Static("Output directory (must exist, without a MANIFEST); Enter exports:")
        yield Input(value=_default_out(self.appliance), id="export-dir")
        yield Static("", id="export-qr")
        with VerticalScroll(id="export-result-box", classes="panel"):
            yield Static("", id="export-result")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._show_qr_choice()

    def action_toggle_qr_files(self) -> None:
        self.qr_files = not self.qr_files
        self._show_qr_choice()

    def _show_qr_choice(self) -> None:
        self.query_one("#export-qr", Static).update(
            "QR frames (UR parts + PNG) into the directory too: "
            + ("YES" if self.qr_files else "NO") + " (F3 changes)")

    def on_screen_resume(self) -> None:
        self.query_one("#export-drafts", Static).update("\n".join(self._queue_lines()))

    def _queue_lines(self) -> list[str]:
        """What is ready, or why nothing is: still unsigned, or every signed one exported."""
        ready = self._ready_rows()
        if ready:
            return [f"Ready to export ({len(ready)}):"] + [
                f"  {r.id} {r.chain:<8}\n    {plain(headline(r))}" for r in ready]
        counts = draft_views.state_counts(self.appliance.conn)  # not every draft's row: counts
        exported = counts[DraftState.EXPORTED]
        waiting = counts[DraftState.APPROVED] + counts[DraftState.PARTIALLY_SIGNED]
        lines = ["Nothing waiting for export."]
        if exported:
            lines.append(f"  {exported} draft(s) already exported (each is exported once).")
        lines.append(f"  {waiting} draft(s) still need the quorum of signatures (s signs)."
                     if waiting else "  No draft is waiting for signatures.")
        return lines

    def _ready_rows(self) -> list[drafts.Draft]:
        """The signed drafts not yet exported, in import order (a page query, filtered in
        the database: a home of 200,000 drafts is not read whole)."""
        signed = draft_views.draft_list(self.appliance.conn, DraftState.SIGNED).drafts
        return [draft.row for draft in reversed(signed)]

    def _ready(self) -> list[str]:
        return [r.id for r in self._ready_rows()]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        ids = self._ready()
        if not ids:
            self._say("[!] nothing to export: no draft carries the quorum of signatures; "
                      "sign drafts with two holders first (Esc, s)")
            return
        if not event.value.strip():
            self._say("[!] type the output directory first (an existing, empty directory)")
            return
        self._say(f"exporting {len(ids)} draft(s)…")
        self.run_export(ids, Path(event.value.strip()), self.qr_files)

    @work(thread=True, exclusive=True, group="appliance")
    def run_export(self, ids: list[str], out: Path, qr: bool) -> None:
        try:
            report = export_drafts(self.appliance, ids, out, qr)
        except AirsignError as error:
            self.app.call_from_thread(self._say, plain(problem(error))
                                      + "\n    Nothing written. Type another directory and "
                                      "press Enter.")
            return
        self.exported = report.files
        self.app.call_from_thread(self._done, "\n".join(result_lines(report, ids, out)))

    def _done(self, text: str) -> None:
        self._say(text, focus=True)
        self.on_screen_resume()

    def _say(self, text: str, focus: bool = False) -> None:
        self.query_one("#export-result", Static).update(text)
        box = self.query_one("#export-result-box", VerticalScroll)
        box.border_subtitle = SCROLL_HINT if focus else ""
        box.scroll_home(animate=False)
        if focus:
            box.focus()

    def action_show_qr(self) -> None:
        sources = [s for s in (qr_source(Path(f)) for f in self.exported) if s]
        if not sources:
            self._say("[!] export first: the QR shows the files just written")
            return
        self.app.push_screen(QrScreen(sources))


def result_lines(report: ExportReport, ids: list[str], out: Path) -> list[str]:
    """Refusals first, then what was written where (file names: the directory said once),
    the manifest last and whole, then what to do next."""
    refused = {r.id for r in report.refused}
    lines = [f"[!] REFUSED {r.id}: {r.code}: {plain(r.message)}" for r in report.refused]
    done = [i for i in ids if i not in refused]
    if not report.files:
        return [*lines, "Nothing written: every draft was refused."]
    lines.append(f"Exported {len(done)} draft(s) into {plain(str(out))}:")
    names = [Path(f).name for f in report.files]
    lines += [f"  {plain(n)}" for n in names if n != MANIFEST]
    if MANIFEST in names:
        lines.append(f"  {MANIFEST} (online: sha256sum -c {MANIFEST})")
    lines.append("F2 shows the signed drafts as an animated QR.")
    return lines


def _default_out(appliance: Appliance) -> str:
    parent = appliance.home.path.parent
    found = [parent / name for name in DEFAULT_OUT_DIRS if (parent / name).is_dir()]
    return str(found[0]) if found else ""
