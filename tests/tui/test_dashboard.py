"""The dashboard on a home with a wallet: wallet, queue counts, breaker, lockouts, policy."""

from __future__ import annotations

from pathlib import Path

from signer.risk import trip_breaker
from signer.store import lockouts
from signer.store.db import transaction
from signer.tui.app import AirsignApp
from signer.tui.dashboard import Dashboard
from signer.usecases.appliance import Appliance
from signer.usecases.wallet import load_wallet
from tests.tui.conftest import FIXED_NOW, imported, settle, text, withdrawal


async def test_dashboard_shows_wallet_queue_breaker_lockouts_and_policy(
    home: Appliance, inbox: Path
) -> None:
    imported(home, withdrawal(home, inbox, "ok.psbt", 100_000),
             withdrawal(home, inbox, "big.psbt", 300_000_000, spend=400_000_000))
    wallet = load_wallet(home)
    app = AirsignApp(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: "holder-a" in text(app, "#tokens")
                     and "Queue" in text(app, "#queue"))
        assert isinstance(app.screen, Dashboard)
        shown = text(app, "#wallet")
        assert "Wallet pipeline-test (regtest), 2-of-3" in shown
        assert wallet.bitcoin.address(0, 0) in shown
        assert "Safe: not registered" in shown
        queue = text(app, "#queue")
        assert "1 approved · 1 delayed · 0 rejected" in queue
        assert "0 partially signed · 0 signed · 0 exported" in queue
        assert "Circuit breaker: closed" in queue
        assert "Lockouts: none" in queue
        assert f"Policy: {_policy_hash(home)[:16]}" in queue
        assert {"i", "l", "s", "e", "h", "p", "r", "a", "q"} <= set(app.active_bindings)

        with transaction(home.conn):
            trip_breaker(home.conn, FIXED_NOW, "test: too many flagged drafts")
            for _ in range(home.home.config.settings.max_pin_failures):
                lockouts.record_failure(home.conn, "C", 5, "2026-11-23T10:00:00Z")
        await pilot.press("r")
        await settle(pilot, lambda: "OPEN" in text(app, "#queue"))
        queue = text(app, "#queue")
        assert "Circuit breaker: [!] OPEN since 2026-11-23T10:00:00Z: signing halted" in queue
        assert "Lockouts: [!] C LOCKED OUT" in queue


async def test_dashboard_says_nothing_is_signed_without_a_policy(appliance: Appliance) -> None:
    app = AirsignApp(appliance)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: "Policy" in text(app, "#queue"))
        assert "Policy: [!] NONE APPLIED: nothing will be signed" in text(app, "#queue")
        assert "Wallet: none registered yet" in text(app, "#wallet")


def _policy_hash(app: Appliance) -> str:
    return str(app.conn.execute("SELECT hash FROM policies WHERE active = 1").fetchone()[0])


def test_the_journal_line_is_checked_from_the_last_checkpoint(home: Appliance) -> None:
    from signer.tui.dashboard import backups_text

    assert "Journal: intact" in backups_text(home)
    assert "(checked since the last checkpoint)" in backups_text(home)
    last = home.conn.execute("SELECT max(seq) FROM journal").fetchone()[0]
    home.conn.execute("UPDATE journal SET actor = 'forger' WHERE seq = ?", (last,))
    assert f"Journal: [!] BROKEN at seq {last}" in backups_text(home)
