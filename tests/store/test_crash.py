"""Kill -9 in the middle of journaled actions: the chain holds and no action loses its entry."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from signer.store import audit, db

CHILD = Path(__file__).with_name("crash_child.py")


def test_sigkill_at_random_moments_never_breaks_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    chooser = random.Random(20261123)
    for _trial in range(60):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), str(path)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(chooser.uniform(0.0, 0.05))
        child.send_signal(signal.SIGKILL)
        child.wait()
    conn = db.connect(path)
    result = audit.verify(conn)
    assert result.ok, result.problem
    actions = [r[0] for r in conn.execute("SELECT n FROM probe ORDER BY n")]
    entries = [
        json.loads(r[0])["n"]
        for r in conn.execute("SELECT data FROM journal WHERE kind='probe' ORDER BY seq")
    ]
    assert len(actions) >= 60  # at least the one each trial committed before its kill
    assert entries == actions  # exactly one entry per committed action, in order
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    sqlite3.connect(path).close()
