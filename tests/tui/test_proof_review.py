"""A proof of reserves in the TUI at 80x24: in the drafts list, reviewed (the full message,
every address with its path, the Safe and the hashes to compare), and signed by two
holders in the same flow as a withdrawal."""

from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot

from signer.store import drafts
from signer.tui.app import AirsignApp
from signer.tui.review_screen import ReviewScreen
from signer.tui.signing_screen import SigningScreen
from signer.tui.widgets import PinDialog
from signer.usecases import governance
from signer.usecases.appliance import Appliance
from signer.usecases.policy import apply_policy
from signer.usecases.wallet import load_wallet
from tests.pipeline.conftest import DATA
from tests.tui.conftest import fill, imported, settle, text

SAFE = "0x" + "5a" * 20
# Longer than a line of the screen: shown wrapped, never cut.
MESSAGE = ("ACME Exchange proof of reserves 2026-12-01: ACME controls these addresses and "
           "this Safe, as published in the monthly report of December")


def _proof_request(home: Appliance, inbox: Path, user_pin: str) -> tuple[Path, list[str]]:
    policy = inbox.parent / "policy.toml"
    policy.write_text((DATA / "policy.toml").read_text()
                      + '\n[proofs]\nprefixes = ["ACME Exchange proof of reserves "]\n')
    apply_policy(home, policy, "A,B", lambda _holder: user_pin)
    governance.set_safe(home, SAFE, "A,B", lambda _holder: user_pin)
    wallet = load_wallet(home)
    addresses = [wallet.bitcoin.address(0, 1), wallet.bitcoin.address(1, 2)]
    path = inbox / "proof-request.json"
    path.write_text(json.dumps({
        "type": "proof-of-reserves", "message": MESSAGE, "bitcoin": {"addresses": addresses},
        "ethereum": {"safe": SAFE, "chainId": wallet.chain_id}}))
    return path, addresses


async def _sign_as(app: AirsignApp, pilot: Pilot[None], pin: str, done: str) -> None:
    await pilot.press("g")
    await settle(pilot, lambda: isinstance(app.screen, PinDialog))
    await fill(pilot, pin)
    await pilot.press("enter")
    await settle(pilot, lambda: done in text(app, "#signing-log"))


async def test_a_proof_is_reviewed_in_full_and_signed_like_a_withdrawal(
    home: Appliance, inbox: Path, user_pin: str
) -> None:
    path, addresses = _proof_request(home, inbox, user_pin)
    [draft] = imported(home, path)
    assert (draft["chain"], draft["verdict"]) == ("proof", "approve"), draft
    summary = drafts.get(home.conn, draft["id"]).summary  # type: ignore[union-attr]
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        table = app.screen.query_one("#drafts-table")
        row = next(i for i, key in enumerate(table.rows)  # type: ignore[attr-defined]
                   if key.value == draft["id"])
        table.move_cursor(row=row)  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert isinstance(app.screen, ReviewScreen)
        assert f"Draft {draft['id']} (proof): APPROVED" in text(app, "#review-status")
        what = text(app, "#review-what")
        assert MESSAGE in " ".join(line.strip() for line in what.splitlines())
        flat = "".join(what.split())  # addresses are grouped and may wrap
        for address, where in zip(addresses, ("/0/1ours", "/1/2ours"), strict=True):
            assert f"{where}:{address}" in flat
        assert "Prove ownership of the Safe:" in what and "CompatibilityFallbackHandler" in what
        assert summary["ethereum"]["safeMessageHash"] in what
        assert summary["ethereum"]["messageHash"] in what
        assert "moves nothing" in what
        await pilot.press("m")  # mark it for signing, as a withdrawal is
        await pilot.pause()
        assert draft["id"] in app.marked
        await pilot.press("escape", "escape", "s")
        await settle(pilot, lambda: isinstance(app.screen, SigningScreen))
        await _sign_as(app, pilot, user_pin, f"SIGNED {draft['id']} as holder A")
        await pilot.press("t")
        await _sign_as(app, pilot, user_pin, f"SIGNED {draft['id']} as holder B: quorum reached")
    stored = drafts.get(home.conn, draft["id"])
    assert stored is not None and stored.complete and sorted(stored.signatures) == ["A", "B"]
