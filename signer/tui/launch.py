"""Start the TUI on a home (imported lazily so CLI commands never load Textual)."""

from __future__ import annotations

from pathlib import Path

from signer.session.appliance import Appliance


def launch(home: Path) -> int:
    from signer.tui.app import AirsignApp

    app = Appliance.open(home)
    try:
        AirsignApp(app).run()
    finally:
        app.close()
    return 0
