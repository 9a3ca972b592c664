"""The ceremony and recovery wizards, driven from the keyboard against SoftHSM tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from ceremony.cards import read_card
from signer.store import journal
from signer.tui.app import AirsignApp
from signer.tui.ceremony_wizard import CeremonyWizard
from signer.tui.recovery_wizard import RecoveryWizard
from signer.usecases.appliance import Appliance
from softhsm.tokens import TokenSet, create_token_set
from tests.conftest import Cli
from tests.pipeline.conftest import DATA


def _text(app: AirsignApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def _until(pilot: Pilot[None], check: Callable[[], bool], seconds: float = 30) -> None:
    for _ in range(int(seconds / 0.05)):
        await pilot.pause(0.05)
        if check():
            return
    raise AssertionError("the screen never showed what was expected")


async def _type(pilot: Pilot[None], text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")
    await pilot.press("enter")


async def _pins(pilot: Pilot[None], app: AirsignApp, pin: str, count: int) -> None:
    for _ in range(count):
        await _until(pilot, lambda: app.screen.query("#pin").first() is not None
                     if app.screen.query("#pin") else False)
        await _type(pilot, pin)


async def test_the_ceremony_wizard_from_file_to_confirmed_cards(
    home_path: Path, user_pin: str, tmp_path: Path
) -> None:
    shares, exports = tmp_path / "shares", tmp_path / "exports"
    shares.mkdir()
    exports.mkdir()
    appliance = Appliance.open(home_path)
    app = AirsignApp(appliance)
    async with app.run_test(size=(100, 40)) as pilot:
        wizard = CeremonyWizard(appliance)
        await app.push_screen(wizard)
        for field, value in (("#file", DATA / "ceremony.toml"), ("#shares", shares),
                             ("#exports", exports)):
            wizard.query_one(field, Input).value = str(value)
        await pilot.press("f2")
        assert "VALID" in _text(app, "#ceremony-status")
        assert "pipeline-test" in _text(app, "#ceremony-view")
        await pilot.press("f5")
        await _pins(pilot, app, user_pin, 3)
        await _until(pilot, lambda: "type word" in _text(app, "#card-prompt"))
        confirmed = 0
        while "type word" in _text(app, "#card-prompt"):
            prompt = _text(app, "#card-prompt")
            name = prompt.split()[1].rstrip(":")
            first, second = (int(n) for n in re.findall(r"word (\d+)", prompt))
            words = read_card((shares / name).read_text()).split()
            if confirmed == 0:  # a wrong answer is refused and the card stays
                await _type(pilot, "wrong words")
                assert "[!]" in _text(app, "#ceremony-status")
            await _type(pilot, f"{words[first - 1]} {words[second - 1]}")
            confirmed += 1
        assert confirmed == 9
        assert "CEREMONY COMPLETE" in _text(app, "#ceremony-view")
    entries = list(journal.entries(appliance.conn, kind="share_card_confirmed"))
    assert len(entries) == 9 and "words" not in str(entries)
    assert list(journal.entries(appliance.conn, kind="ceremony_completed"))
    appliance.close()


async def test_the_recovery_wizard_drills_and_restores_from_typed_and_loaded_shares(
    wallet_cli: Cli, token_set: TokenSet, user_pin: str, tmp_path: Path
) -> None:
    shares = tmp_path / "shares"  # written by the wallet_cli ceremony
    create_token_set(token_set.directory, ["holder-a-new"], "so-pin-for-tests", user_pin)
    appliance = Appliance.open(wallet_cli.home)
    app = AirsignApp(appliance)
    async with app.run_test(size=(100, 40)) as pilot:
        wizard = RecoveryWizard(appliance)
        await app.push_screen(wizard)
        wizard.query_one("#holder", Input).value = "A"
        wizard.query_one("#card", Input).focus()
        await _type(pilot, str(shares / "A-g1-1.txt"))
        assert "share accepted" in _text(app, "#recovery-status")
        await _type(pilot, str(shares / "A-g1-1.txt"))
        assert "duplicate_share" in _text(app, "#recovery-status")
        wizard.query_one("#word", Input).focus()
        await _type(pilot, "notaword")
        assert "not a SLIP-39 word" in _text(app, "#recovery-status")
        words = read_card((shares / "A-g1-3.txt").read_text()).split()
        for word in words:
            await _type(pilot, word[:4])  # the first four letters identify a word
        assert "READY" in _text(app, "#progress")
        await pilot.press("f3")
        await _until(pilot, lambda: "DRILL PASSED" in _text(app, "#recovery-status"))
        wizard.query_one("#token", Input).value = "holder-a-new"
        wizard.query_one("#authorizers", Input).value = "B"
        await pilot.press("f5")
        await _pins(pilot, app, user_pin, 2)
        await _until(pilot, lambda: "RESTORED" in _text(app, "#recovery-status")
                     or "[!]" in _text(app, "#recovery-status"))
        assert "RESTORED holder A into token holder-a-new" in _text(app, "#recovery-status")
    assert appliance.token_label("A") == "holder-a-new"
    assert [e.data["holder"] for e in journal.entries(appliance.conn, kind="drill_passed")]
    assert list(journal.entries(appliance.conn, kind="holder_restored"))
    appliance.close()
