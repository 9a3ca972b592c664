"""The terminal watch on its own: a terminal that hangs up, before or after the watch starts."""

from __future__ import annotations

import os
import pty
import threading
import time

import pytest

from signer.tui import terminal_watch
from signer.tui.terminal_watch import TerminalWatch


class _App:
    """Stands in for the Textual app: records that it was told to exit."""

    def __init__(self) -> None:
        self.exited = threading.Event()

    def call_from_thread(self, callback: object) -> None:
        assert callable(callback)
        callback()

    def exit(self) -> None:
        self.exited.set()


@pytest.fixture(autouse=True)
def _no_hard_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The watch ends the process if the app does not exit in time; not the test runner."""
    monkeypatch.setattr(terminal_watch.os, "_exit", lambda code: None)


def test_a_terminal_already_hung_up_when_the_watch_starts_is_lost() -> None:
    """tmux killed while the app was still starting: the watch must not take the dead
    terminal for "no terminal" and leave the app spinning on end-of-file."""
    controller, terminal = pty.openpty()
    os.close(controller)  # the terminal hangs up: tcgetattr now answers EIO
    app = _App()
    try:
        with TerminalWatch(app, fd=terminal) as watch:
            assert app.exited.wait(5)
        assert watch.lost
    finally:
        os.close(terminal)


def test_a_terminal_that_hangs_up_later_is_lost() -> None:
    controller, terminal = pty.openpty()
    app = _App()
    try:
        with TerminalWatch(app, fd=terminal) as watch:
            time.sleep(2 * terminal_watch.POLL_SECONDS)
            assert not app.exited.is_set()
            os.close(controller)
            assert app.exited.wait(5)
        assert watch.lost
    finally:
        os.close(terminal)


def test_input_that_is_no_terminal_is_not_watched() -> None:
    reader, writer = os.pipe()
    app = _App()
    try:
        with TerminalWatch(app, fd=reader) as watch:
            time.sleep(3 * terminal_watch.POLL_SECONDS)
        assert not app.exited.is_set() and not watch.lost
    finally:
        os.close(reader)
        os.close(writer)
