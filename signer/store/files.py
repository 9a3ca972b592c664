"""Writing output files: temporary name, fsync, then an atomic link that never overwrites."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from signer.errors import BadInput


def write_new(path: Path, content: bytes, mode: int = 0o644) -> Path:
    """Write ``content`` to ``path`` only if it does not exist yet.

    A crash leaves either nothing or the whole file under its final name (plus at
    most a stray ``.tmp`` file); ``link`` refuses an existing target atomically,
    so a file already there is never replaced.
    """
    if path.exists() or path.is_symlink():
        raise BadInput("output_exists", f"{path} already exists; refusing to overwrite it")
    directory = path.parent
    temporary = directory / f".{path.name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise BadInput(
                "output_exists", f"{path} already exists; refusing to overwrite it"
            ) from None
    finally:
        temporary.unlink(missing_ok=True)
    _fsync_directory(directory)
    return path


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
