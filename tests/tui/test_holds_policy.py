"""Hold queue (release, breaker reset) and the policy view through the keyboard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable

from signer.chains.address_text import grouped
from signer.risk import SqlLedger, trip_breaker
from signer.store import drafts, journal
from signer.store.db import transaction
from signer.tui.app import AirsignApp
from signer.tui.holds_screen import HoldsScreen
from signer.tui.policy_screen import PolicyScreen
from signer.tui.widgets import PinDialog, QuorumDialog
from signer.usecases.appliance import Appliance
from signer.usecases.policy import apply_policy
from tests.pipeline.conftest import DATA
from tests.tui.conftest import FIXED_NOW, fill, imported, settle, text, type_text, withdrawal


async def _quorum(app: AirsignApp, pilot: Pilot[None], holders: str, reason: str,
                  pins: list[str]) -> None:
    await settle(pilot, lambda: isinstance(app.screen, QuorumDialog))
    await type_text(pilot, holders)
    await pilot.press("enter")
    await fill(pilot, reason)
    await pilot.press("enter")
    for pin in pins:
        await settle(pilot, lambda: isinstance(app.screen, PinDialog))
        await fill(pilot, pin)
        await pilot.press("enter")


def _delay_first_time_destinations(app: Appliance, tmp_path: Path, pin: str) -> None:
    """The pipeline policy, except that a first-time destination waits the default 24 h."""
    policy = tmp_path / "policy.toml"
    policy.write_text((DATA / "policy.toml").read_text().replace(
        'first_time = "allow"', 'first_time = "delay"'))
    apply_policy(app, policy, "A,B", lambda _holder: pin)


async def test_a_delayed_draft_is_released_by_two_holders_with_a_reason(
    home: Appliance, inbox: Path, user_pin: str, tmp_path: Path
) -> None:
    big = imported(home, withdrawal(home, inbox, "big.psbt", 300_000_000, spend=400_000_000))[0]
    imported(home, withdrawal(home, inbox, "ok.psbt", 100_000, spend=50_000_000))  # approved
    _delay_first_time_destinations(home, tmp_path, user_pin)
    new = imported(home, withdrawal(home, inbox, "new.psbt", 100_000, payee="new payee"))[0]
    home.clock = lambda: FIXED_NOW + timedelta(hours=1, minutes=30)
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        assert isinstance(app.screen, HoldsScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2  # only the delayed drafts
        assert table.get_row_at(0)[:3] == [big["id"], "quorum only", "max_per_draft"]
        assert table.get_row_at(1)[:3] == [new["id"], "22h 30m", "first_time_destination"]
        # The column is short; the line under the table says it whole for the highlighted one.
        assert f"{big['id']}: waits for a quorum release (no time limit)" in text(
            app, "#holds-detail")
        await pilot.press("down")
        assert f"{new['id']}: releases in 22h 30m" in text(app, "#holds-detail")
        assert "[!] first_time_destination" in text(app, "#holds-detail")
        await pilot.press("up")
        assert "Circuit breaker: closed" in text(app, "#holds-breaker")
        # The table cell is cut; the highlighted draft's payment is below it in full.
        held = drafts.get(home.conn, big["id"])
        assert held is not None
        [paid] = [o for o in held.summary["outputs"] if o["kind"] == "EXTERNAL"]
        await settle(pilot, lambda: f"Send {paid['amount']} BTC to an address not ours:\n"
                     f"    {grouped(paid['address'])}" in text(app, "#holds-detail"))

        await pilot.press("r")
        await _quorum(app, pilot, "A,A", "x", [])
        assert "[!] holders_not_distinct" in text(app, "#quorum-error")
        await pilot.press("escape")
        await pilot.press("r")
        await _quorum(app, pilot, "A,B", "treasury rebalancing, ticket 42", [user_pin, user_pin])
        await settle(pilot, lambda: "RELEASED" in text(app, "#holds-status"))
        assert table.row_count == 1
    row = drafts.get(home.conn, big["id"])
    assert row is not None and row.released and row.state == "approved"
    [entry] = journal.entries(home.conn, 0, "draft_released")
    assert entry.data == {"draft": big["id"], "by": ["A", "B"],
                          "reason": "treasury rebalancing, ticket 42"}
    logins = [e.actor for e in journal.entries(home.conn, 0, "login_ok")]
    assert logins[-2:] == ["A", "B"]


async def test_a_wrong_pin_releases_nothing(home: Appliance, inbox: Path, user_pin: str) -> None:
    big = imported(home, withdrawal(home, inbox, "big.psbt", 300_000_000, spend=400_000_000))[0]
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h", "r")
        await _quorum(app, pilot, "B,C", "ticket 7", [user_pin, "not-the-pin"])
        await settle(pilot, lambda: "[!]" in text(app, "#holds-status"))
        assert "wrong_pin" in text(app, "#holds-status")
        assert "Nothing changed" in text(app, "#holds-status")
    assert drafts.get(home.conn, big["id"]).state == "delayed"  # type: ignore[union-attr]
    assert list(journal.entries(home.conn, 0, "draft_released")) == []


async def test_the_circuit_breaker_is_reset_by_two_holders(
    home: Appliance, user_pin: str
) -> None:
    with transaction(home.conn):
        trip_breaker(home.conn, FIXED_NOW, "too many flagged drafts")
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        assert "[!] OPEN since 2026-11-23T10:00:00Z" in text(app, "#holds-breaker")
        await pilot.press("b")
        await _quorum(app, pilot, "C,A", "incident 12 reviewed", [user_pin, user_pin])
        await settle(pilot, lambda: "RESET" in text(app, "#holds-status"))
        assert "Circuit breaker: closed" in text(app, "#holds-breaker")
    assert SqlLedger(home.conn).breaker().tripped_at is None
    [entry] = journal.entries(home.conn, 0, "breaker_reset")
    assert entry.data == {"by": ["C", "A"], "reason": "incident 12 reviewed"}


async def test_policy_view_shows_hash_assets_and_limits(home: Appliance) -> None:
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        assert isinstance(app.screen, PolicyScreen)
        shown = text(app, "#policy")
    (active,) = home.conn.execute("SELECT hash FROM policies WHERE active = 1").fetchone()
    assert f"Applied policy {active}" in shown
    # Figures from tests/pipeline/data/policy.toml, not from our own rendering.
    assert "BTC (bitcoin): at most 2.5 per draft" in shown
    assert "at most 5 in 20 draft(s)" in shown and "at most 20 in 100 draft(s)" in shown
    assert "ETH (ethereum): at most 50 per draft" in shown
    assert "first-time destination: allow" in shown
    assert "more than 5 flagged drafts" in shown


async def test_policy_view_without_a_policy(appliance: Appliance) -> None:
    app = AirsignApp(appliance)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        assert "[!] NO POLICY APPLIED: nothing will be signed." in text(app, "#policy")
