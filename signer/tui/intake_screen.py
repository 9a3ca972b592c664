"""Intake: pick files or directories (USB, QR images) and import them in a worker.

The result lists every verdict, attacks first, in a box the holder scrolls with the
keyboard: at 80x24 a demo inbox's six verdicts do not fit on one screen, and the ones
that matter most (rejections) must never be the ones below the fold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DirectoryTree, Footer, Header, ProgressBar, Static

from signer.errors import AirsignError
from signer.store import drafts
from signer.tui.widgets import plain, problem
from signer.usecases.appliance import Appliance
from signer.usecases.describe import headline
from signer.usecases.intake import import_paths

# Attacks first, then what waits, then what is ready: the order a holder must read them in.
VERDICT_ORDER = {"reject": 0, "delay": 1, "approve": 2}
SCROLL_HINT = "↑↓ PgUp PgDn scroll · Tab: back to the files"


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
        with VerticalScroll(id="intake-result-box", classes="panel"):
            yield Static("", id="intake-result")
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
        self._show(f"importing {len(paths)} path(s)…")
        self.run_import(paths)

    @work(thread=True, exclusive=True, group="appliance")
    def run_import(self, paths: list[Path]) -> None:
        imported: list[dict[str, Any]] = []
        refused: list[dict[str, str]] = []
        failed: list[str] = []
        for path in paths:
            try:
                report = import_paths(self.appliance, [path])
                imported += report.drafts
                refused += report.refused
            except AirsignError as error:
                failed.append(f"{plain(problem(error))}\n    nothing imported from "
                              f"{plain(str(path))}: fix it and import again")
            self.app.call_from_thread(self.query_one(ProgressBar).advance, 1)
        lines = [*failed, *report_lines(imported, refused, _headlines(self.appliance, imported)),
                 "Next: Esc, then l lists the drafts; Enter on one opens its review."]
        self.app.call_from_thread(self._show, "\n".join(lines), True)

    def _show(self, text: str, done: bool = False) -> None:
        """The result box takes the room the file tree had; focused so the keys scroll it."""
        self.set_class(True, "has-result")
        self.query_one("#intake-result", Static).update(text)
        box = self.query_one("#intake-result-box", VerticalScroll)
        box.border_subtitle = SCROLL_HINT if done else ""
        box.scroll_home(animate=False)
        if done:
            box.focus()


def _headlines(appliance: Appliance, imported: list[dict[str, Any]]) -> dict[str, str]:
    """What each imported draft does, in the words of the review (every output or call)."""
    rows = (drafts.get(appliance.conn, d["id"]) for d in imported)
    return {row.id: headline(row) for row in rows if row is not None}


def report_lines(imported: list[dict[str, Any]], refused: list[dict[str, str]],
                 headlines: dict[str, str]) -> list[str]:
    """A count, then one block per draft (verdict, what it does in the review's words, every
    reason) and per refused file: rejections and refusals first, then delays, approvals."""
    if not imported and not refused:
        return ["nothing to import there"]
    ordered = sorted(imported, key=lambda d: VERDICT_ORDER.get(d["verdict"], 0))
    counts = [f"{sum(d['verdict'] == v for d in ordered)} {v.upper()}" for v in VERDICT_ORDER]
    lines = [f"{len(ordered)} draft(s): " + ", ".join(counts)
             + (f"; {len(refused)} file(s) REFUSED" if refused else "")]
    blocks = [(VERDICT_ORDER.get(d["verdict"], 0), _draft_lines(d, headlines)) for d in ordered]
    blocks += [(0, [f"[!] REFUSED file {plain(r['file'])}",
                    f"    {r['code']}: {plain(r['message'])}"]) for r in refused]
    for _, block in sorted(blocks, key=lambda b: b[0]):  # stable: drafts keep their order
        lines += block
    return lines


def _draft_lines(draft: dict[str, Any], headlines: dict[str, str]) -> list[str]:
    marker = "" if draft["verdict"] == "approve" else "[!] "
    again = "" if draft["new"] else f" (already known, state {draft['state']})"
    what = headlines.get(draft["id"], "(not stored)")
    lines = [f"{marker}{draft['verdict'].upper()} {draft['id']}{again}: {plain(what)}"]
    if draft.get("source"):
        lines.append(f"    from {plain(Path(str(draft['source'])).name)}")
    lines += [f"    {r['code']}: {plain(r['message'])}" for r in draft["reasons"]]
    return lines
