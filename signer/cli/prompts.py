"""Secrets a holder types: PINs and SLIP-39 passphrases, from a prompt, the environment or
a PIN file; never from argv (visible to every process) and never logged.

The use cases and the ceremony receive these readers as callables (``PinReader``,
``PassphraseReader``); the TUI asks for PINs in its own dialogs (signer/tui/widgets.py).
"""

from __future__ import annotations

import getpass
import os
import re
import sys
from pathlib import Path

from signer.errors import BadInput
from signer.operator_files import read_small_file

MAX_PIN_FILE = 4096
_HOLDER_LINE = re.compile(r"[ABCabc]=")


def pin_env_name(holder: str) -> str:
    return f"AIRSIGN_PIN_{holder.upper()}"


def passphrase_env_name(holder: str) -> str:
    return f"AIRSIGN_PASSPHRASE_{holder.upper()}"


def read_pin(
    holder: str, pin_file: Path | None = None, interactive: bool | None = None,
    attempts: str | None = None,
) -> str:
    """The PIN for ``holder``: ``--pin-file`` first, then $AIRSIGN_PIN_<H>, then a prompt.

    A pin file holds either one line (the PIN) or lines ``A=1234`` per holder. ``attempts``
    (e.g. "3 attempts left before holder A is locked out") goes into the prompt.
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
    note = f" ({attempts})" if attempts else ""
    return getpass.getpass(f"PIN for holder {holder}{note}: ")


def read_passphrase(holder: str, interactive: bool | None = None) -> bytes:
    """$AIRSIGN_PASSPHRASE_<H>, else a prompt (asked twice to catch typos)."""
    name = passphrase_env_name(holder)
    from_env = os.environ.get(name)
    if from_env:
        return from_env.encode()
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        raise BadInput("passphrase_missing",
                       f"holder {holder}: the backup needs a SLIP-39 passphrase: set {name} "
                       "or run interactively")
    first = getpass.getpass(f"SLIP-39 passphrase for holder {holder}: ")
    if getpass.getpass("again: ") != first:
        raise BadInput("passphrase_mismatch", f"holder {holder}: the two passphrases differ")
    return first.encode()


def _from_file(path: Path, holder: str) -> str:
    data = read_small_file(path, MAX_PIN_FILE, "pin_file_unreadable", "PIN file")
    try:
        lines = [line.strip() for line in data.decode("utf-8").splitlines() if line.strip()]
    except UnicodeDecodeError:
        raise BadInput("pin_file_unreadable", f"{path}: expected UTF-8 text") from None
    # 'A=1234' lines name their holder; a lone line is the PIN itself, '=' and all.
    keyed = {name.upper(): pin for name, pin in
             (line.split("=", 1) for line in lines if _HOLDER_LINE.match(line))}
    if keyed and len(keyed) != len(lines):
        raise BadInput("pin_file_bad", f"{path}: expected one line (the PIN) or 'H=PIN' lines")
    if keyed:
        if holder.upper() not in keyed:
            raise BadInput(
                "pin_missing", f"{path}: no line '{holder.upper()}=...' for holder {holder}"
            )
        return keyed[holder.upper()]
    if len(lines) != 1:
        raise BadInput("pin_file_bad", f"{path}: expected one line (the PIN) or 'H=PIN' lines")
    return lines[0]
