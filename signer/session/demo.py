"""The demo appliance `make run` starts on: a home bound to the demo tokens."""

from __future__ import annotations

from pathlib import Path

from signer.session.appliance import Appliance


def create_demo(home: Path, module: str, pin: str) -> None:
    """Create the demo home. ``pin`` is the demo tokens' public PIN (used by later steps)."""
    app = Appliance.create(home, module)
    app.close()
