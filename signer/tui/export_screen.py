"""Export signed drafts to a directory (USB), optionally shown as an animated QR."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from signer.errors import AirsignError
from signer.session.appliance import Appliance
from signer.session.describe import headline
from signer.session.exporting import export_drafts
from signer.store import drafts
from signer.tui.qr_screen import QrScreen, qr_source
from signer.tui.widgets import plain, problem


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
        yield Static("", id="export-drafts", classes="panel")
        yield Static("Output directory (must exist, without a MANIFEST); Enter exports:")
        yield Input(value=_default_out(self.appliance), id="export-dir")
        yield Static("", id="export-qr")
        yield Static("", id="export-result", classes="panel")
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
        rows = self._ready()
        lines = [f"Ready to export ({len(rows)}):"] + [
            f"  {r.id} {r.chain:<8}\n    {plain(headline(r))}" for r in rows]
        if not rows:
            lines = ["Nothing to export: no draft carries the quorum of signatures yet."]
        self.query_one("#export-drafts", Static).update("\n".join(lines))

    def _ready(self) -> list[drafts.DraftRow]:
        return [r for r in drafts.listing(self.appliance.conn) if r.state == "signed"]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        ids = [r.id for r in self._ready()]
        if not ids:
            self._say("[!] nothing to export: sign drafts with two holders first")
            return
        self._say(f"exporting {len(ids)} draft(s)…")
        self.run_export(ids, Path(event.value.strip()), self.qr_files)

    @work(thread=True, exclusive=True, group="appliance")
    def run_export(self, ids: list[str], out: Path, qr: bool) -> None:
        try:
            report = export_drafts(self.appliance, ids, out, qr)
        except AirsignError as error:
            self.app.call_from_thread(self._say, plain(problem(error))
                                      + "\n    Type another directory and press Enter.")
            return
        lines = [f"wrote {plain(f)}" for f in report.files]
        lines += [f"[!] REFUSED {r['id']}: {r['code']}: {plain(r['message'])}"
                  for r in report.refused]
        self.exported = report.files
        if report.files:
            lines.append("F2 shows the signed drafts as an animated QR.")
        self.app.call_from_thread(self._done, "\n".join(lines))

    def _done(self, text: str) -> None:
        self._say(text)
        self.on_screen_resume()

    def _say(self, text: str) -> None:
        self.query_one("#export-result", Static).update(text)

    def action_show_qr(self) -> None:
        sources = [s for s in (qr_source(Path(f)) for f in self.exported) if s]
        if not sources:
            self._say("[!] export first: the QR shows the files just written")
            return
        self.app.push_screen(QrScreen(sources))


def _default_out(appliance: Appliance) -> str:
    outbox = appliance.home.path.parent / "outbox"
    return str(outbox) if outbox.is_dir() else ""
