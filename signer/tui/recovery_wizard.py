"""Recovery wizard: restore an unreachable holder (or drill) from SLIP-39 shares.

Shares are typed word by word with autocomplete and per-word validation, or loaded
from card files; each finished share is checked (checksum, set, duplicates) and the
group progress shown. The words stay in this screen's memory only.
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from ceremony.drills import run_drill
from ceremony.recovery import restore_holder
from ceremony.share_entry import check_share, word_suggestions
from ceremony.share_set import Progress, ShareSet, ShareSource, read_share_file
from signer.errors import AirsignError
from signer.store.home import checked_holder
from signer.tui.widgets import PinDialog, plain, problem, read_pins, titled
from signer.usecases.appliance import Appliance

SHARE_LENGTHS = (20, 33)


def progress_text(progress: Progress) -> str:
    """Group progress in words, e.g. 'group 1: 2 of 2 shares  -> complete'."""
    if not progress.groups:
        return "no share entered yet"
    lines = [f"group {g.group}: {g.entered} of {g.threshold or '?'} shares"
             for g in progress.groups]
    needed = progress.groups_needed or "?"
    lines.append(f"groups complete: {progress.groups_complete} of {needed}"
                 + ("  -> READY" if progress.complete else ""))
    return "\n".join(lines)


class RecoveryWizard(Screen[None]):
    BINDINGS = [
        Binding("f3", "drill", "Run drill"),
        Binding("f5", "restore", "Restore into token"),
        Binding("f4", "undo_word", "Remove last word"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, appliance: Appliance) -> None:
        super().__init__()
        self.appliance = appliance
        self.words: list[str] = []
        self.shares = ShareSet()
        self.accepted: list[ShareSource] = []  # checked shares, handed to the use case
        self.typed = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="fields"):
            yield titled(Input(id="holder", max_length=1, placeholder="A/B/C"), "holder")
            yield titled(Input(id="token", placeholder="restore only"), "new token label")
            yield titled(Input(id="authorizers", placeholder="e.g. A or A,C"),
                          "authorised by")
        yield titled(Input(id="card", placeholder="path, then Enter"), "share card file")
        yield titled(Input(id="word", placeholder="its first 4 letters suffice, then Enter"),
                      "or type the next word")
        yield Static("", id="suggestions")
        yield Static("share 1: 0 words", id="share-status")
        yield Static(progress_text(self.shares.progress()), id="progress", classes="panel")
        yield Static("Type the words of one share; finished shares are checked at once.",
                     id="recovery-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#holder", Input).focus()

    def _say(self, text: str) -> None:
        self.query_one("#recovery-status", Static).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "word":
            found = word_suggestions(event.value)
            self.query_one("#suggestions", Static).update(
                "suggestions: " + " ".join(found) if found else "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "word":
            self._add_word(event.value.strip().lower())
            event.input.value = ""
        elif event.input.id == "card":
            self._load_card(event.value.strip())
            event.input.value = ""

    def _add_word(self, typed: str) -> None:
        if not typed:
            return
        found = word_suggestions(typed)
        completions = [w for w in found if w.startswith(typed)]
        if typed not in found and len(completions) == 1 and len(typed) >= 4:
            typed = completions[0]  # SLIP-39 words are unique by their first four letters
        elif typed not in found:
            hint = f"; did you mean: {', '.join(found)}" if found else ""
            self._say(f"[!] word {len(self.words) + 1}: {typed!r} is not a SLIP-39 word{hint}")
            return
        self.words.append(typed)
        status = check_share(self.words, where=f"share {self.typed + 1}")
        header = ""
        if status.identifier is not None:
            header = (f" (set {status.identifier}, group {status.group}, "
                      f"member {status.index})")
        self.query_one("#share-status", Static).update(
            f"share {self.typed + 1}: {len(self.words)} words{header}")
        if status.problem is not None:
            self._say(plain(f"[!] {status.problem.message}"))
        if len(self.words) in SHARE_LENGTHS and status.checksum_valid:
            self._accept(ShareSource(f"typed share {self.typed + 1}", " ".join(self.words)))

    def _accept(self, source: ShareSource) -> None:
        try:
            ref = self.shares.add(source)
        except AirsignError as error:
            self._say(plain(problem(error)))
            self.words.clear()
            return
        self.accepted.append(source)
        self.typed += 1
        self.words.clear()
        self.query_one("#share-status", Static).update(f"share {self.typed + 1}: 0 words")
        self.query_one("#progress", Static).update(progress_text(self.shares.progress()))
        self._say(f"share accepted: checksum valid, group {ref.group}, member {ref.index}")

    def _load_card(self, path: str) -> None:
        if not path:
            return
        try:
            self._accept(read_share_file(Path(path), self.typed + 1))
        except AirsignError as error:
            self._say(plain(problem(error)))

    def action_undo_word(self) -> None:
        if self.words:
            self.words.pop()
            self.query_one("#share-status", Static).update(
                f"share {self.typed + 1}: {len(self.words)} words")

    def _holder(self) -> str | None:
        try:
            holder = checked_holder(self.query_one("#holder", Input).value)
        except AirsignError:
            self._say("[!] holder: type A, B or C")
            return None
        if not self.shares.progress().complete:
            self._say("[!] not enough shares yet: see the group progress")
            return None
        return holder

    def _sources(self) -> list[ShareSource]:
        return list(self.accepted)

    def action_drill(self) -> None:
        holder = self._holder()
        if holder is not None:
            self._say(f"drill for holder {holder}: checking the shares…")
            self.run_drill_worker(holder)

    @work(thread=True, exclusive=True, group="appliance")
    def run_drill_worker(self, holder: str) -> None:
        try:
            result = run_drill(self.appliance, holder, self._sources(), lambda _h: b"")
            text = (f"DRILL PASSED for holder {holder}: the shares rebuild the registered key "
                    f"({result['fingerprint']}); journaled")
        except AirsignError as error:
            text = plain(problem(error))
        self.app.call_from_thread(self._say, text)

    @work
    async def action_restore(self) -> None:
        holder = self._holder()
        if holder is None:
            return
        token = self.query_one("#token", Input).value.strip()
        names = self.query_one("#authorizers", Input).value.strip().upper()
        authorizers = [h for h in names.replace(" ", "").split(",") if h]
        if not token or not authorizers:
            self._say("[!] restore needs the new token's label and at least one other holder")
            return
        pins = await read_pins(self.app, self.appliance, authorizers,
                               f"to authorise restoring holder {holder}")
        if pins is None:
            self._say("PIN entry cancelled: nothing restored")
            return
        target = await self.app.push_screen_wait(
            PinDialog(holder, token, f"the NEW token's user PIN for holder {holder}"))
        if target is None:
            self._say("PIN entry cancelled: nothing restored")
            return
        pins[holder] = target
        self._say(f"restoring holder {holder} into {token}…")
        self.run_restore(holder, token, ",".join(authorizers), pins)

    @work(thread=True, exclusive=True, group="appliance")
    def run_restore(self, holder: str, token: str, authorizers: str,
                    pins: dict[str, str]) -> None:
        try:
            result = restore_holder(self.appliance, holder, self._sources(), token, authorizers,
                                    pins.__getitem__, lambda _h: b"")
            text = (f"RESTORED holder {holder} into token {token}: "
                    f"{result.get('keys_imported', '?')} keys imported and proven; journaled")
        except AirsignError as error:
            text = plain(problem(error))
        pins.clear()
        self.app.call_from_thread(self._say, text)
