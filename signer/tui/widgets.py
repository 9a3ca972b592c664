"""Dialogs and small helpers shared by the signing-day screens."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static
from textual.widgets._footer import FooterKey

from signer.errors import AirsignError, BadInput
from signer.store import lockouts
from signer.usecases import logins
from signer.usecases.appliance import Appliance


def problem(error: AirsignError) -> str:
    """An error as the operator reads it: a marker, the code and the message (what to do)."""
    return f"[!] {error.code}: {error.message}"


def titled(field: Input, title: str) -> Input:
    """A labelled input that costs no extra line: the label sits in its frame."""
    field.border_title = title
    return field


class TwoRowFooter(Footer):
    """A footer whose keys wrap onto two rows when one row of the terminal cannot hold them:
    the dashboard has more keys than 80 columns hold, and the last ones (a Audit, q Quit)
    must stay visible."""

    DEFAULT_CSS = "TwoRowFooter { layout: grid; grid-rows: 1; }"

    def __init__(self, compact: bool = True) -> None:
        super().__init__(compact=compact)
        self.needed = 0  # columns one row of keys takes (the grid's columns are equal)
        self.count = 0  # keys

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        # "k Label " per key, as the compact footer draws it, each as wide as the widest.
        shown = [k for k in keys if isinstance(k, FooterKey)]
        self.needed = len(shown) * max(
            (len(k.key_display) + len(k.description) + 2 for k in shown), default=0)
        self.count = len(shown)
        yield from keys
        self._fit(self.app.size.width)

    def on_resize(self, event: Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        rows = 1 if self.needed <= width else 2
        # Footer.compose sets one grid column per key; fewer columns make a second row.
        self.styles.grid_size_columns = max(1, -(-self.count // rows))
        self.styles.height = rows


def plain(text: str) -> str:
    """Escape Textual markup in data that came from outside (file names, reasons)."""
    return text.replace("[", r"\[")


class PinDialog(ModalScreen[str | None]):
    """One holder types their PIN; it goes to the caller and nowhere else (never logged)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, holder: str, token: str, why: str, attempts_left: int | None = None) -> None:
        super().__init__()
        self.holder, self.token, self.why = holder, token, why
        self.attempts_left = attempts_left

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Holder {self.holder}: PIN for token {self.token}", classes="title")
            yield Label(self.why)
            if self.attempts_left is not None:
                # As the CLI prompt does: how many tries remain, loudly on the last one,
                # so a holder is warned before the lockout, not told after it (issue 18).
                last = self.attempts_left <= 1
                yield Label(("[!] " if last else "")
                            + lockouts.attempts_note(self.holder, self.attempts_left),
                            id="pin-attempts", classes="last-attempt" if last else "")
            yield Input(password=True, placeholder="PIN, then Enter", id="pin")
            yield Label("Esc cancels; nothing is sent to the token until Enter.")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        pin = event.value
        event.input.value = ""
        self.dismiss(pin if pin else None)

    def action_cancel(self) -> None:
        self.query_one(Input).value = ""
        self.dismiss(None)


class TypedConfirm(ModalScreen[bool]):
    """For anything unusual: the operator types the first four hex digits of the draft id."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, draft_id: str, why: list[str]) -> None:
        super().__init__()
        self.draft_id, self.why = draft_id, why

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("[!] UNUSUAL DRAFT: confirm by typing", classes="title")
            yield Static("\n".join(f"  - {plain(line)}" for line in self.why))
            yield Label("Type the first 4 hex digits of the draft id, then Enter:")
            yield Input(placeholder="4 hex digits", max_length=4, id="typed")
            yield Static("", id="typed-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip().lower() == self.draft_id[:4]:
            self.dismiss(True)
            return
        self.query_one("#typed-error", Static).update(
            "[!] that does not match the draft id: read it again from the review screen")
        event.input.value = ""

    def action_cancel(self) -> None:
        self.dismiss(False)


class QuorumDialog(ModalScreen[tuple[list[str], str] | None]):
    """Two distinct holders and a written reason for a quorum override."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            yield Label("Two distinct holders (e.g. A,B):")
            yield Input(placeholder="A,B", id="holders")
            yield Label("Written reason (journaled):")
            yield Input(placeholder="e.g. treasury rebalancing, ticket 42", id="reason")
            yield Static("Enter moves on; Esc cancels.", id="quorum-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "holders":
            self.query_one("#reason", Input).focus()
            return
        holders_text = self.query_one("#holders", Input).value
        reason = self.query_one("#reason", Input).value
        try:
            holders = logins.distinct_holders(holders_text, 2)
            if not reason.strip():
                raise BadInput("reason_missing", "a written reason is required")
        except AirsignError as error:
            self.query_one("#quorum-error", Static).update(plain(problem(error)))
            return
        self.dismiss((holders, reason.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


def pin_dialog(appliance: Appliance, holder: str, why: str) -> PinDialog:
    """The PIN dialog for a registered holder, saying how many wrong PINs they have left."""
    limit = appliance.home.config.settings.max_pin_failures
    left = lockouts.attempts_left(appliance.conn, holder.upper(), limit)
    return PinDialog(holder, appliance.token_label(holder), why, left)


async def read_pins(
    app: App[None], appliance: Appliance, holders: list[str], why: str
) -> dict[str, str] | None:
    """PIN dialogs for each holder in turn (call from an async worker); None if one cancels."""
    pins: dict[str, str] = {}
    for holder in holders:
        pin = await app.push_screen_wait(pin_dialog(appliance, holder, why))
        if pin is None:
            return None
        pins[holder] = pin
    return pins
