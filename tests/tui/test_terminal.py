"""`airsign tui` in a real terminal (tmux): import -> review -> two holders sign -> export.

Keys go in with `tmux send-keys`, the screen comes back with `tmux capture-pane -p`;
a dedicated tmux server (-L) with a fixed 100x30 window keeps it apart from anything else.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from signer.store import drafts, journal
from signer.usecases.appliance import Appliance
from signer.usecases.wallet import load_wallet
from softhsm.tokens import TokenSet
from tests.conftest import REPO, Cli
from tests.pipeline.conftest import psbt_file


class Terminal:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=30, check=True)
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "tui")

    def wait_for(self, expected: str, seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            shown = self.screen()
            if expected in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"never showed {expected!r}; the screen was:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "tui", key)

    def back(self, to: str) -> None:
        """Escape, then wait for ``to``: a key sent right after Escape would arrive as Alt+key."""
        self.keys("Escape")
        self.wait_for(to)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "tui", "-l", text)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    assert shutil.which("tmux"), "tmux is required for the real-terminal test"
    term = Terminal(f"airsign-test-{os.getpid()}-{tmp_path.name}")  # unique across runs
    yield term
    subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True, check=False)


def test_import_review_sign_twice_and_export_in_a_real_terminal(
    wallet_cli: Cli, token_set: TokenSet, user_pin: str, tmp_path: Path, terminal: Terminal
) -> None:
    app = Appliance.open(wallet_cli.home)
    wallet = load_wallet(app).bitcoin
    app.close()
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    outbox.mkdir()
    home = tmp_path / "tui-home"
    wallet_cli.home.rename(home)  # a sibling of inbox/ and outbox/: the TUI's defaults
    psbt_file(inbox, wallet, "w1.psbt", pay=1_500_000)

    terminal.tmux(
        "new-session", "-d", "-s", "tui", "-x", "100", "-y", "30", "-c", str(REPO),
        "-e", f"SOFTHSM2_CONF={token_set.conf}", "-e", f"AIRSIGN_HOME={home}",
        # pytest may export another terminal's size; the app must see this window's.
        "-e", "COLUMNS=100", "-e", "LINES=30",
        f"{sys.executable} -m signer tui")
    terminal.wait_for("Holders and tokens")
    terminal.wait_for("present  0 failed PIN(s)")

    terminal.keys("i")
    terminal.wait_for(f"Choose from {inbox}")
    terminal.keys("i")
    shown = terminal.wait_for("Next: Esc, then l lists the drafts")
    draft_id = re.search(r"APPROVE ([0-9a-f]{16}): Send 0\.015 BTC", shown).group(1)  # type: ignore[union-attr]

    terminal.back("Holders and tokens")
    terminal.keys("l")
    terminal.wait_for(draft_id)
    terminal.keys("Enter")
    terminal.wait_for("Read aloud and compare")
    terminal.keys("m")
    terminal.wait_for("MARKED for signing")

    terminal.back("signed  what it does")
    terminal.back("Holders and tokens")
    terminal.keys("s")
    terminal.wait_for("Signing as holder A")
    for holder, done in (("A", f"SIGNED {draft_id} as holder A"),
                         ("B", f"SIGNED {draft_id} as holder B: quorum reached")):
        terminal.keys("g")
        terminal.wait_for(f"Holder {holder}: PIN for token holder-{holder.lower()}")
        terminal.type(user_pin)
        assert user_pin not in terminal.screen()  # the PIN is never drawn
        terminal.keys("Enter")
        terminal.wait_for(done)
        terminal.keys("t")
    terminal.wait_for("Signatures made: 2")

    terminal.back("Holders and tokens")
    terminal.keys("e")
    terminal.wait_for("Ready to export (1)")
    terminal.keys("Enter")
    terminal.wait_for("MANIFEST.sha256")
    terminal.back("Holders and tokens")
    terminal.keys("q")
    deadline = time.monotonic() + 15
    while not _lock_free(home):  # the TUI has quit when it lets go of the home
        assert time.monotonic() < deadline, "the TUI did not quit on q"
        time.sleep(0.1)

    names = sorted(p.name for p in outbox.iterdir())
    assert names == sorted([f"{draft_id}.psbt", f"{draft_id}.psbt.txt", f"{draft_id}.tx.hex",
                            "MANIFEST.sha256"])
    for line in (outbox / "MANIFEST.sha256").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((outbox / name).read_bytes()).hexdigest() == digest
    app = Appliance.open(home)
    try:
        row = drafts.get(app.conn, draft_id)
        assert row is not None and row.state == "exported" and sorted(row.signatures) == ["A", "B"]
        kinds = [e.kind for e in journal.entries(app.conn, 0)]
        assert kinds.count("draft_signed") == 2 and "draft_reviewed" in kinds
        assert "drafts_exported" in kinds
    finally:
        app.close()


def _lock_free(home: Path) -> bool:
    import fcntl

    with open(home / "airsign.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True
