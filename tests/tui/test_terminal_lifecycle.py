"""The TUI ends when its terminal goes away, however it was started, and frees the home.

`make run` is the case that used to fail: make is the terminal's session leader, takes the
hangup and waits for its child, so the TUI never got a SIGHUP and spun on its dead tty,
keeping the home locked. Here `make run`'s own recipe (read from the Makefile) runs under
make in a tmux session against a demo built by scripts/demo-setup.py, and the session is
killed as a dropped SSH connection would.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.tui.test_terminal import Terminal


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    assert shutil.which("tmux") and shutil.which("make"), "tmux and make are required"
    term = Terminal(f"airsign-life-{os.getpid()}-{tmp_path.name}")  # unique across runs
    yield term
    subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True, check=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make demo`'s directory: demo tokens, a demo home with wallet, policy and inbox."""
    root = tmp_path_factory.mktemp("lifecycle") / "demo"
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "demo-setup.py"), str(root)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return root


def _run_recipe() -> str:
    """The recipe of the Makefile's `run` target, as make would run it."""
    lines = (REPO / "Makefile").read_text().splitlines()
    start = lines.index("run: demo")
    return lines[start + 1].removeprefix("\t")


def _make_run(terminal: Terminal, demo: Path, work: Path) -> None:
    """`make run` in a 100x30 tmux session, with the demo already made (`run`'s only
    prerequisite, which would also rebuild the venv, is left out)."""
    makefile = work / "Makefile"
    makefile.write_text(f"SHELL := /bin/bash\nBIN := {Path(sys.executable).parent}\n"
                        f"DEMO := {demo}\nrun:\n\t{_run_recipe()}\n")
    terminal.tmux("new-session", "-d", "-s", "tui", "-x", "100", "-y", "30", "-c", str(work),
                  "-e", "COLUMNS=100", "-e", "LINES=30", f"make -f {makefile} run")
    terminal.wait_for("Holders and tokens")


def _lock_pid(home: Path) -> int:
    return int((home / "airsign.lock").read_text().strip())


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone in all but name (make reaps it when it gets to it).
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def _processes_on(home: Path) -> list[int]:
    """Pids whose command line names ``home`` (the airsign processes on this demo)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(str(home).encode() in arg for arg in argv) and _running(int(entry.name)):
                found.append(int(entry.name))
    return found


def _wait_gone(pid: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while _running(pid):
        assert time.monotonic() < deadline, f"pid {pid} still runs without a terminal"
        time.sleep(0.1)


def test_make_run_in_tmux_ends_with_the_session_and_the_next_make_run_starts(
    terminal: Terminal, demo: Path, tmp_path: Path
) -> None:
    home = demo / "home"
    _make_run(terminal, demo, tmp_path)
    pid = _lock_pid(home)
    assert _running(pid)

    terminal.tmux("kill-session", "-t", "tui")  # the terminal goes away, as with a lost SSH
    _wait_gone(pid)
    assert _processes_on(home) == []
    assert (home / "airsign.lock").read_text() == ""  # closed cleanly: no stale pid left

    _make_run(terminal, demo, tmp_path)  # the next `make run` gets the home
    second = _lock_pid(home)
    assert second != pid
    terminal.keys("q")
    _wait_gone(second)
    assert _processes_on(home) == []


def test_a_sighup_ends_the_tui_cleanly(terminal: Terminal, demo: Path, tmp_path: Path) -> None:
    home = demo / "home"
    terminal.tmux("new-session", "-d", "-s", "tui", "-x", "100", "-y", "30", "-c", str(REPO),
                  "-e", f"SOFTHSM2_CONF={demo / 'softhsm' / 'softhsm2.conf'}",
                  "-e", "COLUMNS=100", "-e", "LINES=30",
                  f"{sys.executable} -m signer --home {home} tui; sleep 60")
    terminal.wait_for("Holders and tokens")
    pid = _lock_pid(home)
    os.kill(pid, signal.SIGHUP)
    _wait_gone(pid)
    # Ended through the app's own exit: the home was closed, so no stale pid is left.
    assert (home / "airsign.lock").read_text() == ""
