"""Where a holder's PIN comes from: interactive prompt, environment or a file; never argv."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from signer.errors import BadInput


def pin_env_name(holder: str) -> str:
    return f"AIRSIGN_PIN_{holder.upper()}"


def read_pin(holder: str, pin_file: Path | None = None, interactive: bool | None = None) -> str:
    """The PIN for ``holder``: ``--pin-file`` first, then $AIRSIGN_PIN_<H>, then a prompt.

    A pin file holds either one line (the PIN) or lines ``A=1234`` per holder.
    """
    if pin_file is not None:
        return _from_file(pin_file, holder)
    from_env = os.environ.get(pin_env_name(holder))
    if from_env:
        return from_env
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        raise BadInput(
            "pin_missing",
            f"no PIN for holder {holder}: set {pin_env_name(holder)}, use --pin-file, "
            "or run interactively",
        )
    return getpass.getpass(f"PIN for holder {holder}: ")


def _from_file(path: Path, holder: str) -> str:
    try:
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput("pin_file_unreadable", f"{path}: cannot read PIN file ({exc})") from None
    keyed = dict(line.split("=", 1) for line in lines if "=" in line)
    if keyed:
        if holder.upper() not in keyed:
            raise BadInput(
                "pin_missing", f"{path}: no line '{holder.upper()}=...' for holder {holder}"
            )
        return keyed[holder.upper()]
    if len(lines) != 1:
        raise BadInput("pin_file_bad", f"{path}: expected one line (the PIN) or 'H=PIN' lines")
    return lines[0]
