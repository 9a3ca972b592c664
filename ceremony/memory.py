"""Best-effort wiping of secrets held in bytearrays."""

from __future__ import annotations


def wipe(buffer: bytearray) -> None:
    """Overwrite a secret in place (copies made by libraries as ``bytes`` cannot be reached)."""
    buffer[:] = bytes(len(buffer))
