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
    fsync_directory(directory)
    return path


def fsync_directory(directory: Path) -> None:
    """Make a new name in ``directory`` durable (the file's own fsync does not)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new_files(directory: Path, files: dict[str, bytes], mode: int = 0o644) -> list[Path]:
    """Write several new files with one flush to disk instead of one fsync per file.

    Every file goes to a temporary name first; one sync() makes all the data durable;
    only then are the final names linked (each refusing an existing file) and the
    directory fsynced once. A crash leaves no final name on incomplete data.
    """
    targets = [directory / name for name in files]
    existing = [str(p) for p in targets if p.exists() or p.is_symlink()]
    if existing:
        raise BadInput("output_exists", f"{existing[0]} already exists; refusing to overwrite it")
    temporaries: list[Path] = []
    written: list[Path] = []
    try:
        for name, content in files.items():
            temporary = directory / f".{name}.{secrets.token_hex(4)}.tmp"
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            temporaries.append(temporary)
            with os.fdopen(fd, "wb") as out:
                out.write(content)
        os.sync()  # Linux waits for the writeback: the data is on disk before any name
        for temporary, target in zip(temporaries, targets, strict=True):
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise BadInput(
                    "output_exists", f"{target} already exists; refusing to overwrite it"
                ) from None
            written.append(target)
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
    fsync_directory(directory)
    return written
