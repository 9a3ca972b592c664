"""A QR code drawn with half-block characters, two modules per character cell, for the TUI."""

from __future__ import annotations

from signer.transport.qr.frames import QUIET_ZONE, make_qr

# Index: (top module painted, bottom module painted).
_CELLS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def render_half_blocks(
    content: str | bytes, border: int = QUIET_ZONE, light_on_dark: bool = True
) -> str:
    """Lines of ``▀▄█`` and spaces showing the QR for ``content`` with its quiet zone.

    With ``light_on_dark`` (terminals with light text on a dark background) the light
    modules are painted, so the code keeps its normal polarity on screen; set it False
    for dark text on a light background.
    """
    rows = [
        [bool(module) != light_on_dark for module in row]
        for row in make_qr(content).matrix_iter(border=border)
    ]
    if len(rows) % 2:
        rows.append([light_on_dark] * len(rows[0]))
    lines = []
    for top, bottom in zip(rows[::2], rows[1::2], strict=True):
        lines.append("".join(_CELLS[pair] for pair in zip(top, bottom, strict=True)))
    return "\n".join(lines)
