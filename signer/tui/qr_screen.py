"""The exported drafts as an animated QR (UR parts drawn in half blocks), until a key stops it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from signer.transport.qr import render_half_blocks, ur_parts

# Smaller fragments make more, smaller QR codes; the largest that fits the terminal wins.
FRAGMENT_LENGTHS = (400, 300, 200, 150, 120, 100, 80, 60, 50, 40, 30, 20)
# A two-module quiet zone: the screen around the code is dark, and every row counts at 80x24.
SCREEN_BORDER = 2
FRAME_SECONDS = 0.4


@dataclass(frozen=True)
class QrSource:
    name: str
    payload: bytes
    ur_type: str


def qr_source(path: Path) -> QrSource | None:
    """The exported file a receiver needs, as the export's QR would carry it."""
    if path.name.endswith(".psbt"):
        return QrSource(path.name, path.read_bytes(), "crypto-psbt")
    if path.name.endswith(".safe-signatures.json"):
        return QrSource(path.name, path.read_bytes(), "bytes")
    return None


def fitting_frames(source: QrSource, width: int, height: int) -> tuple[list[str], list[str]]:
    """UR parts and their half-block frames, with the largest fragment whose every frame
    fits the area (later parts carry a longer "seq-of" prefix, so a later frame can need a
    larger QR version than the first)."""
    parts: list[str] = []
    frames: list[str] = []
    for length in FRAGMENT_LENGTHS:
        parts = ur_parts(source.payload, source.ur_type, length)
        frames = [render_half_blocks(p, border=SCREEN_BORDER) for p in parts]
        if all(_fits(frame, width, height) for frame in frames):
            break
    return parts, frames


def _fits(frame: str, width: int, height: int) -> bool:
    lines = frame.splitlines()
    return len(lines) <= height and max(map(len, lines)) <= width


class QrScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Stop"),
        Binding("n", "next_source", "Next file"),
    ]

    def __init__(self, sources: list[QrSource]) -> None:
        super().__init__()
        self.sources = sources
        self.source_index = 0
        self.parts: list[str] = []
        self.frames: list[str] = []
        self.frame = 0
        self.timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="qr-caption")
        yield Static("preparing QR…", id="qr-code")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.prepare()

    def action_next_source(self) -> None:
        self.source_index = (self.source_index + 1) % len(self.sources)
        self.prepare()

    def prepare(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        self.render_frames(self.sources[self.source_index], self.size.width, self.size.height - 2)

    @work(thread=True, exclusive=True, group="qr")
    def render_frames(self, source: QrSource, width: int, height: int) -> None:
        parts, frames = fitting_frames(source, width, height)
        self.app.call_from_thread(self._play, parts, frames)

    def _play(self, parts: list[str], frames: list[str]) -> None:
        self.parts, self.frames, self.frame = parts, frames, 0
        self._show()
        self.timer = self.set_interval(FRAME_SECONDS, self._advance)

    def _advance(self) -> None:
        self.frame = (self.frame + 1) % len(self.frames)
        self._show()

    def _show(self) -> None:
        source = self.sources[self.source_index]
        self.query_one("#qr-caption", Static).update(
            f"{source.name}: part {self.frame + 1} of {len(self.frames)} "
            f"(ur:{source.ur_type}); Esc stops")
        self.query_one("#qr-code", Static).update(self.frames[self.frame])
