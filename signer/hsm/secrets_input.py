"""Other secrets an operator types: SLIP-39 passphrases (prompt or environment, never argv)."""

from __future__ import annotations

import getpass
import os
import sys

from signer.errors import BadInput


def read_passphrase(holder: str, interactive: bool | None = None) -> bytes:
    """$AIRSIGN_PASSPHRASE_<H>, else a prompt (asked twice to catch typos)."""
    name = f"AIRSIGN_PASSPHRASE_{holder.upper()}"
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
