"""The quorum dialog for abandoning a draft: what its signed transaction could still do
if broadcast comes first, then two holders and a written reason (as QuorumDialog)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from signer.tui.widgets import QuorumDialog, plain


class AbandonDialog(QuorumDialog):
    def __init__(self, title: str, exposure: str) -> None:
        super().__init__(title)
        self.exposure = exposure

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            yield Static(plain(self.exposure), id="abandon-exposure")
            yield Label("Two distinct holders (e.g. A,B):")
            yield Input(placeholder="A,B", id="holders")
            yield Label("Written reason (journaled):")
            yield Input(placeholder="e.g. never broadcast, ticket 42", id="reason")
            yield Static("Enter moves on; Esc cancels.", id="quorum-error")
