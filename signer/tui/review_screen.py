"""Review one draft: what it does, the verdict and every reason, hash words, raw fields."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from signer.errors import AirsignError
from signer.store.draft_state import Action, DraftState, refusal
from signer.store.drafts import Draft
from signer.tui.draft_text import raw_lines, reason_lines, state_word, unusual
from signer.tui.widgets import TypedConfirm, plain, problem
from signer.usecases.appliance import Appliance
from signer.usecases.draft_lookup import resolve
from signer.usecases.hash_words import LIST_NAME, record_review
from signer.usecases.policy import active_policy
from signer.usecases.review import review


class ReviewScreen(Screen[None]):
    BINDINGS = [
        Binding("m", "mark", "Mark for signing"),
        Binding("u", "unmark", "Unmark"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, appliance: Appliance, draft_id: str, marked: set[str]) -> None:
        super().__init__()
        self.appliance = appliance
        self.draft_id = draft_id
        self.marked = marked
        self.words: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="review-status")
        with VerticalScroll(id="review-body"):
            yield Static("", id="review-what", classes="panel")
            yield Static("", id="review-verdict", classes="panel")
            yield Static("", id="review-words", classes="panel")
            yield Static("", id="review-raw", classes="panel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.show(resolve(self.appliance, self.draft_id))
        self.query_one("#review-body").focus()

    def show(self, row: Draft) -> None:
        shown = review(self.appliance, row)
        digest, self.words, described = shown.payload_sha256, shown.spoken, shown.description
        marked = "MARKED for signing" if row.id in self.marked else "not marked"
        self.query_one("#review-status", Static).update(
            f"Draft {row.id} ({row.chain}): {state_word(row)} · {marked}")
        what = [f"  {plain(line)}" for line in described.what_it_does()]
        compare = [f"  {plain(line)}" for line in described.compare]
        self.query_one("#review-what", Static).update("\n".join(
            ["What the payload does (decoded here)", *what,
             "Compare on a second device", *compare,
             *(plain(line) for line in described.request)]))
        verdict = [f"Verdict {row.verdict.upper()}" + (
            f" until {row.not_before}" if row.verdict == "delay" and row.not_before else "")
            + (" (released by a quorum)" if row.released else "")]
        signed = ", ".join(sorted(row.signatures)) or "nobody yet"
        self.query_one("#review-verdict", Static).update(
            "\n".join([*verdict, *(f"  {r}" for r in reason_lines(row)), f"Signed by: {signed}"]))
        self.query_one("#review-words", Static).update(
            f"Read aloud and compare with the online operator ({LIST_NAME}, first 8 bytes of "
            f"SHA-256 of the payload as imported):\n  {' '.join(self.words).upper()}\n"
            f"  sha256 {digest[:32]}…")
        self.query_one("#review-raw", Static).update(
            "\n".join(["Raw fields", *(f"  {plain(x)}" for x in raw_lines(row)),
                       f"  source {plain(row.source)}"]))

    def _say(self, text: str) -> None:
        self.query_one("#review-status", Static).update(text)

    def action_unmark(self) -> None:
        self.marked.discard(self.draft_id)
        self.show(resolve(self.appliance, self.draft_id))

    @work
    async def action_mark(self) -> None:
        row = resolve(self.appliance, self.draft_id)
        refusal = _not_signable(row)
        if refusal:
            self._say(refusal)
            return
        why = unusual(row, active_policy(self.appliance))
        why += [f"look-alike address {found.address}: resembles {found.known_as} "
                f"{found.resembles}"
                for found in review(self.appliance, row).description.lookalikes]
        if why and not await self.app.push_screen_wait(TypedConfirm(row.id, why)):
            self._say(f"Draft {row.id}: NOT marked (confirmation not typed)")
            return
        try:
            record_review(self.appliance, row, typed=bool(why))
        except AirsignError as error:
            self._say(plain(problem(error)))
            return
        self.marked.add(row.id)
        self.show(row)


# What to do instead, for each state in which the draft machine refuses a signature.
_NOT_SIGNABLE = {
    DraftState.REJECTED: "[!] Draft {id} is REJECTED: it will never be signed. Tell the "
                         "online side.",
    DraftState.DELAYED: "[!] Draft {id} is DELAYED: wait for its time, or release it on the "
                        "Holds screen (Esc, Esc, h) with two holders and a reason.",
    DraftState.SIGNED: "Draft {id} is already SIGNED by the quorum: export it (Esc, Esc, e).",
    DraftState.EXPORTED: "Draft {id} is already SIGNED by the quorum: export it (Esc, Esc, e).",
    DraftState.ABANDONED: "[!] Draft {id} was ABANDONED by two holders: it is never signed "
                          "again. Tell the online side.",
}


def _not_signable(row: Draft) -> str | None:
    if refusal(row, Action.SIGN) is None:
        return None
    return _NOT_SIGNABLE[row.state].format(id=row.id)
