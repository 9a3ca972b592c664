"""Start the TUI on a home (imported lazily so CLI commands never load Textual)."""

from __future__ import annotations

from pathlib import Path

from signer.session.appliance import Appliance


def launch(home: Path, inbox: Path | None = None) -> int:
    """Run the TUI; ``inbox`` is where the intake screen starts (default: the home's
    sibling ``inbox/`` if it exists, else the home's parent)."""
    from signer.tui.app import AirsignApp

    app = Appliance.open(home)
    try:
        AirsignApp(app, inbox).run()
    finally:
        app.close()
    return 0
