"""The home's lock: an exclusive flock on ``airsign.lock``, which also names its pid.

The kernel drops a flock when its process ends, however it ends, so a dead process never
keeps a home locked. What it can leave behind is its pid in the file: a clean close
empties the file, so a pid found there by the next process is from one that did not end
cleanly (killed, crashed, lost its terminal). That pid is reported as a stale lock, cleared.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from signer.errors import BadInput

LOCK_NAME = "airsign.lock"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _named_pid(handle: IO[str]) -> int | None:
    handle.seek(0)
    text = handle.read().strip()
    return int(text) if text.isdigit() else None


class HomeLock:
    """A held lock; ``stale_pid`` is the pid a previous, uncleanly ended process left."""

    def __init__(self, handle: IO[str], stale_pid: int | None) -> None:
        self._handle = handle
        self.stale_pid = stale_pid

    def stale_notice(self) -> str | None:
        if self.stale_pid is None:
            return None
        return f"stale lock from pid {self.stale_pid} (no longer running) was cleared"

    def release(self) -> None:
        """Empty the file (a clean end leaves no pid), then let go of the lock."""
        if self._handle.closed:
            return
        try:
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.flush()
        except OSError:
            pass  # the lock still goes with the close; only the notice would be wrong
        self._handle.close()


def take_lock(path: Path) -> HomeLock:
    lock_path = path / LOCK_NAME
    handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the process's life
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = _named_pid(handle)
        handle.close()
        if pid is not None and not _running(pid):
            holder = (f"a process other than pid {pid}, which it names but which is no "
                      "longer running")
        else:
            holder = f"pid {pid}" if pid is not None else "a process that did not name itself"
        raise BadInput(
            "home_locked",
            f"home {path} is in use by another airsign process (lock {lock_path} held by "
            f"{holder}); close it first",
        ) from None
    previous = _named_pid(handle)
    stale = previous if previous is not None and previous != os.getpid() else None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return HomeLock(handle, stale)
