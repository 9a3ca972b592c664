"""End the TUI when its terminal goes away (a closed window, a dropped SSH or tmux session).

A hangup does not always reach this process: under `make run`, make is the terminal's
session leader and gets the SIGHUP, then waits for its child, which never gets one. The
terminal is gone all the same: Textual's input thread then reads end-of-file in a loop
(half a core, for ever) while the app keeps the home locked. So besides SIGHUP, a small
thread asks the terminal for its settings every half second: a hung-up terminal answers
EIO, and the app is told to exit, which closes the home and releases its lock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import termios
import threading
from types import FrameType
from typing import Any

POLL_SECONDS = 0.5
# After asking the app to exit, how long to wait before ending the process outright:
# with no terminal there is no one to show anything to, and the kernel frees the lock.
GRACE_SECONDS = 10.0
HANGUP_EXIT = 128 + signal.SIGHUP  # what a shell reports for a process ended by SIGHUP


def terminal_alive(fd: int) -> bool:
    try:
        termios.tcgetattr(fd)
    except (termios.error, OSError):
        return False
    return True


def never_a_terminal(fd: int) -> bool:
    """True when ``fd`` is not a terminal at all (a pipe, a file: nothing to watch), as
    opposed to a terminal that has hung up already (EIO), e.g. a tmux session killed
    while the app was still starting."""
    try:
        termios.tcgetattr(fd)
    except termios.error as error:
        return error.args[0] in (errno.ENOTTY, errno.EBADF, errno.EINVAL)
    except OSError as error:
        return error.errno in (errno.ENOTTY, errno.EBADF, errno.EINVAL)
    return False


class TerminalWatch:
    """``with TerminalWatch(app): app.run()``; ``lost`` tells whether the terminal went away."""

    def __init__(self, app: Any, fd: int | None = None) -> None:
        self.app = app
        stdin = sys.__stdin__
        self.fd = fd if fd is not None else (stdin.fileno() if stdin is not None else -1)
        self.lost = False
        self._hangup = threading.Event()
        self._done = threading.Event()
        self._previous: Any = None
        self._thread = threading.Thread(target=self._watch, name="terminal-watch", daemon=True)

    def __enter__(self) -> TerminalWatch:
        self._previous = signal.signal(signal.SIGHUP, self._on_hangup)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        signal.signal(signal.SIGHUP, self._previous or signal.SIG_DFL)

    def _on_hangup(self, signum: int, frame: FrameType | None) -> None:
        self._hangup.set()  # the thread does the rest: a signal handler must stay small

    def _watch(self) -> None:
        # A terminal already gone when the watch starts is lost too (not "no terminal").
        watching_tty = self.fd >= 0 and not never_a_terminal(self.fd)
        while not self._done.is_set():
            if self._hangup.wait(POLL_SECONDS) or (watching_tty and not terminal_alive(self.fd)):
                self._terminal_lost()
                return

    def _terminal_lost(self) -> None:
        self.lost = True
        with contextlib.suppress(Exception):  # the app may be gone already; the grace ends it
            self.app.call_from_thread(self.app.exit)
        if not self._done.wait(GRACE_SECONDS):
            os._exit(HANGUP_EXIT)
