"""The screen as plain text, the way a holder sees it in an 80x24 terminal (for captures)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.app import App


def screen_text(app: App[None]) -> str:
    """Every cell of the current screen, one line per row, trailing blanks dropped."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system=None, record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    lines = console.export_text(styles=False).splitlines()[:height]
    return "\n".join(line.rstrip() for line in lines)
