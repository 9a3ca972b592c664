"""The home lock after a process ended badly: never blocking, and named.

The lock is a flock, so the kernel releases it with its process, however that process
ends. What an unclean end leaves is its pid in airsign.lock: the next process reports it
("stale lock from pid N (no longer running) was cleared") and carries on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO, Cli

HOLD = (
    "import sys, time, os; from pathlib import Path; "
    "from signer.usecases.appliance import Appliance; "
    "a = Appliance.open(Path(sys.argv[1])); "
    "{after}"
)


def _start(home: Path, after: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", HOLD.format(after=after), str(home)],
                            stdout=subprocess.PIPE, text=True, cwd=REPO)


def test_a_killed_process_leaves_no_lock_only_a_named_stale_pid(cli: Cli) -> None:
    holder = _start(cli.home, "print('open', flush=True); time.sleep(60)")
    assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
    holder.send_signal(signal.SIGKILL)  # no chance to close the home
    holder.wait()
    assert (cli.home / "airsign.lock").read_text() == str(holder.pid)

    after = cli.subprocess("tokens")
    assert after.returncode == 0, after.stderr
    assert after.stderr == (f"notice: stale lock from pid {holder.pid} (no longer running) "
                            "was cleared\n")
    assert "tokens" in json.loads(after.stdout)  # stdout is still one JSON document
    # That process closed the home cleanly: the next one has nothing to report.
    again = cli.subprocess("tokens")
    assert again.returncode == 0 and again.stderr == ""
    assert (cli.home / "airsign.lock").read_text() == ""


def test_a_lock_held_by_an_heir_of_a_dead_process_says_so(cli: Cli) -> None:
    # The parent takes the lock and exits; a forked child keeps the same open file, so the
    # flock lives on while the pid written in the file is gone.
    parent = _start(cli.home, "pid = os.fork()\n"
                              "if pid: print(pid, flush=True); os._exit(0)\n"
                              "else: time.sleep(60)")
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.wait()
    try:
        blocked = cli.subprocess("tokens")
        assert blocked.returncode == 2
        error = json.loads(blocked.stdout)["error"]
        assert error["code"] == "home_locked"
        assert (f"held by a process other than pid {parent.pid}, which it names but which "
                "is no longer running") in error["message"]
    finally:
        os.kill(child, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while cli.subprocess("tokens").returncode != 0:
        assert time.monotonic() < deadline, "the lock outlived its last holder"
        time.sleep(0.1)
