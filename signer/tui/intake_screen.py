"""Intake: pick files or directories (USB, QR images) and import them in a worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DirectoryTree, Footer, Header, ProgressBar, Static

from signer.errors import AirsignError
from signer.session.appliance import Appliance
from signer.session.describe import headline
from signer.session.intake import import_paths
from signer.store import drafts
from signer.tui.widgets import plain, problem


class IntakeScreen(Screen[None]):
    BINDINGS = [
        Binding("m", "mark", "Mark path"),
        Binding("i", "import_paths", "Import"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, appliance: Appliance, start: Path) -> None:
        super().__init__()
        self.appliance = appliance
        self.start = start
        self.chosen: list[Path] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Choose from {plain(str(self.start))}: m marks a path, i imports the "
                     "marked paths (or the highlighted one)", id="intake-help")
        yield DirectoryTree(self.start, id="intake-tree")
        yield Static("marked: none", id="intake-marked")
        yield ProgressBar(total=1, show_eta=False, id="intake-progress")
        yield Static("", id="intake-result", classes="panel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DirectoryTree).focus()

    def _highlighted(self) -> Path | None:
        node = self.query_one(DirectoryTree).cursor_node
        return None if node is None or node.data is None else Path(node.data.path)

    def action_mark(self) -> None:
        path = self._highlighted()
        if path is None:
            return
        if path in self.chosen:
            self.chosen.remove(path)
        else:
            self.chosen.append(path)
        names = ", ".join(p.name or str(p) for p in self.chosen) or "none"
        self.query_one("#intake-marked", Static).update(f"marked: {plain(names)}")

    def action_import_paths(self) -> None:
        highlighted = self._highlighted()
        paths = list(self.chosen) or ([highlighted] if highlighted else [])
        if not paths:
            return
        bar = self.query_one(ProgressBar)
        bar.update(total=len(paths), progress=0)
        self.query_one("#intake-result", Static).update(f"importing {len(paths)} path(s)…")
        self.run_import(paths)

    @work(thread=True, exclusive=True, group="appliance")
    def run_import(self, paths: list[Path]) -> None:
        lines: list[str] = []
        for path in paths:
            try:
                report = import_paths(self.appliance, [path])
                lines += report_lines(report.drafts, report.refused,
                                      _headlines(self.appliance, report.drafts))
            except AirsignError as error:
                lines.append(f"{plain(problem(error))}\n    nothing imported from "
                             f"{plain(str(path))}: fix it and import again")
            self.app.call_from_thread(self.query_one(ProgressBar).advance, 1)
        lines.append("Next: l lists the drafts; Enter on one opens its review.")
        self.app.call_from_thread(self.query_one("#intake-result", Static).update,
                                  "\n".join(lines))


def _headlines(appliance: Appliance, imported: list[dict[str, Any]]) -> dict[str, str]:
    """What each imported draft does, in the words of the review (every output or call)."""
    rows = (drafts.get(appliance.conn, d["id"]) for d in imported)
    return {row.id: headline(row) for row in rows if row is not None}


def report_lines(imported: list[dict[str, Any]], refused: list[dict[str, str]],
                 headlines: dict[str, str]) -> list[str]:
    """One verdict line per draft (reasons below it), one line per refused file."""
    lines = []
    for draft in imported:
        marker = "" if draft["verdict"] == "approve" else "[!] "
        again = "" if draft["new"] else " (already known)"
        what = headlines.get(draft["id"], "(not stored)")
        lines.append(f"{marker}{draft['verdict'].upper()} {draft['id']}{again}: {plain(what)}")
        lines += [f"    {r['code']}: {plain(r['message'])}" for r in draft["reasons"]]
    for refusal in refused:
        lines.append(f"[!] REFUSED {plain(refusal['file'])}")
        lines.append(f"    {refusal['code']}: {plain(refusal['message'])}")
    return lines or ["nothing to import there"]
