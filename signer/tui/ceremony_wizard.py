"""Ceremony wizard: validate the ceremony file, log the three holders in, run the
ceremony in a worker, then show each share card alone and have the operator confirm
it by typing two randomly chosen words, and finally what to compare aloud."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from ceremony.cards import read_card
from ceremony.config import CeremonyPlan, read_ceremony_file
from ceremony.run import CeremonyOptions, run_ceremony
from signer.errors import AirsignError
from signer.tui.widgets import plain, problem, read_pins, titled
from signer.usecases.appliance import Appliance


def plan_text(plan: CeremonyPlan, digest: str) -> str:
    lines = [f"wallet {plan.wallet}: 2-of-3, bitcoin {plan.bitcoin.network} account "
             f"{plan.bitcoin.account}, pools {plan.bitcoin.receive_keys}+"
             f"{plan.bitcoin.change_keys} keys", f"ceremony file SHA-256 {digest}"]
    for holder in plan.holder:
        groups = ", ".join(f"{g.threshold}-of-{g.count}" for g in holder.backup.groups)
        lines.append(f"  {holder.id} {holder.name}: token {holder.token}; shares "
                     f"{groups} (need {holder.backup.group_threshold} group(s))"
                     + ("; passphrase" if holder.backup.passphrase else ""))
    if plan.ethereum:
        lines.append(f"  Safe {plan.ethereum.safe_version} on chain {plan.ethereum.chain_id}")
    return "\n".join(lines)


class CeremonyWizard(Screen[None]):
    BINDINGS = [
        Binding("f2", "validate", "Validate file"),
        Binding("f5", "run", "Run ceremony"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, appliance: Appliance) -> None:
        super().__init__()
        self.appliance = appliance
        self.plan: CeremonyPlan | None = None
        self.cards: list[Path] = []
        self.challenge: tuple[int, int] = (0, 0)
        self.summary: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        parent = self.appliance.home.path.parent
        yield Header()
        yield titled(Input(str(parent / "ceremony.toml"), id="file"), "ceremony file")
        with Horizontal(classes="fields"):
            yield titled(Input(str(parent / "shares"), id="shares"), "share cards to")
            yield titled(Input(str(parent / "exports"), id="exports"), "wallet exports to")
        with VerticalScroll(id="ceremony-body"):
            yield Static("F2 validates the ceremony file; nothing touches a token until "
                         "F5.", id="ceremony-view", classes="panel")
        yield Label("", id="card-prompt")
        yield Input(id="confirm", placeholder="the two words asked for, then Enter",
                    disabled=True)
        yield Static("", id="ceremony-status")
        yield Footer(compact=True)

    def _say(self, text: str) -> None:
        self.query_one("#ceremony-status", Static).update(text)

    def _path(self, field: str) -> Path:
        return Path(self.query_one(f"#{field}", Input).value.strip())

    def action_validate(self) -> bool:
        path = self._path("file")
        try:
            self.plan, digest = read_ceremony_file(path)
        except AirsignError as error:
            self.plan = None
            self._say(plain(problem(error)))
            return False
        self.query_one("#ceremony-view", Static).update(plain(plan_text(self.plan, digest)))
        self._say("VALID. Read the SHA-256 aloud and compare; F5 runs the ceremony.")
        return True

    @work
    async def action_run(self) -> None:
        if not self.action_validate() or self.plan is None:
            return
        plan = self.plan
        holders: list[str] = [h.id for h in plan.holder]
        tokens = {h.id: h.token for h in plan.holder}
        pins = await read_pins(self.app, self.appliance, holders,
                               "to receive this holder's keys in the ceremony")
        if pins is None:
            self._say("PIN entry cancelled: no token was touched")
            return
        if any(h.backup.passphrase for h in plan.holder):
            self._say("[!] this file asks for SLIP-39 passphrases: run it with "
                      "'airsign ceremony run' (passphrases are prompted there)")
            pins.clear()
            return
        self._say(f"running the ceremony for tokens {', '.join(tokens.values())}…")
        self.run_worker_ceremony(pins)

    @work(thread=True, exclusive=True, group="appliance")
    def run_worker_ceremony(self, pins: dict[str, str]) -> None:
        options = CeremonyOptions(self._path("shares"), self._path("exports"))
        try:
            summary = run_ceremony(self.appliance, self._path("file"), options,
                                   pins.__getitem__, lambda _holder: b"")
        except AirsignError as error:
            self.app.call_from_thread(self._say, plain(problem(error)))
            return
        finally:
            pins.clear()
        self.app.call_from_thread(self._ceremony_done, summary)

    def _ceremony_done(self, summary: dict[str, Any]) -> None:
        self.summary = summary
        shares = self._path("shares")
        self.cards = [shares / name for holder in summary["holders"] for name in holder["cards"]]
        self._next_card()

    def _next_card(self) -> None:
        confirm = self.query_one("#confirm", Input)
        if not self.cards:
            confirm.disabled = True
            self.query_one("#card-prompt", Label).update("")
            self._show_done()
            return
        card = self.cards[0]
        text = card.read_text()
        words = read_card(text, str(card)).split()
        first, second = sorted(secrets.SystemRandom().sample(range(1, len(words) + 1), 2))
        self.challenge = (first, second)
        self.query_one("#ceremony-view", Static).update(plain(text))
        self.query_one("#card-prompt", Label).update(
            f"Card {card.name}: type word {first:02} and word {second:02}, then Enter")
        confirm.disabled = False
        confirm.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "confirm" or not self.cards:
            return
        card = self.cards[0]
        words = read_card(card.read_text(), str(card)).split()
        typed = event.value.lower().split()
        event.input.value = ""
        expected = [words[self.challenge[0] - 1], words[self.challenge[1] - 1]]
        if typed != expected:
            self._say(f"[!] those are not words {self.challenge[0]:02} and "
                      f"{self.challenge[1]:02} of {card.name}: read the card again")
            return
        self.appliance.record("share_card_confirmed", "ceremony",
                              {"card": card.name, "checked_positions": list(self.challenge)})
        self.cards.pop(0)
        self._say(f"{card.name} confirmed")
        self._next_card()

    def _show_done(self) -> None:
        summary = self.summary
        lines = [f"CEREMONY COMPLETE: wallet {summary['wallet']}",
                 f"first receive address {summary['first_address']}",
                 "Compare aloud with the transcript and every holder:"]
        lines += [f"  {h['id']}: fingerprint {h['fingerprint']}, {h['keys']} keys, "
                  f"owner {h['owner']}" for h in summary["holders"]]
        self.query_one("#ceremony-view", Static).update("\n".join(lines))
        self._say("every share card confirmed; hand each card to its custodian")
