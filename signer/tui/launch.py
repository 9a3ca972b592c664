"""Start the TUI on a home (imported lazily so CLI commands never load Textual)."""

from __future__ import annotations

import sys
from pathlib import Path

from signer.usecases.appliance import Appliance


def launch(home: Path, inbox: Path | None = None) -> int:
    """Run the TUI; ``inbox`` is where the intake screen starts (default: the home's
    sibling ``inbox/`` if it exists, else the home's parent). Ends, releasing the home,
    when the terminal goes away (terminal_watch.py); then returns 129, as for a SIGHUP."""
    from signer.tui.app import AirsignApp
    from signer.tui.terminal_watch import HANGUP_EXIT, TerminalWatch

    app = Appliance.open(home)
    notice = app.home.stale_lock_notice()
    if notice:  # shown in the terminal's scrollback once the TUI's screen is gone
        print(f"notice: {notice}", file=sys.stderr)
    try:
        tui = AirsignApp(app, inbox)
        with TerminalWatch(tui) as watch:
            tui.run()
    finally:
        app.close()
    return HANGUP_EXIT if watch.lost else 0
