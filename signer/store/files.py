"""Writing output files: temporary name, flush to disk, then an atomic link that never
overwrites. A crash leaves either nothing or the whole file under its final name (plus at
most stray ``.*.tmp`` files); a file already there is never replaced."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from signer.errors import BadInput


def write_new(path: Path, content: bytes, mode: int = 0o644) -> Path:
    """Write ``content`` to ``path`` only if it does not exist yet (see write_new_files)."""
    return write_new_files(path.parent, {path.name: content}, mode)[0]


def fsync_directory(directory: Path) -> None:
    """Make a new name in ``directory`` durable (the file's own fsync does not)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def refuse_existing(directory: Path, names: list[str]) -> list[Path]:
    """The paths to write, if ``directory`` exists and holds none of ``names`` yet: a
    caller checks this before work it cannot undo (a login, a signature)."""
    if not directory.is_dir():
        raise BadInput("unwritable", f"{directory}: expected an existing directory")
    try:
        folder = os.open(directory, os.O_PATH | os.O_DIRECTORY)
        try:
            for name in names:
                with contextlib.suppress(FileNotFoundError):
                    os.lstat(name, dir_fd=folder)  # a dangling symlink counts as there too
                    raise BadInput("output_exists", f"{directory / name} already exists; "
                                   "refusing to overwrite it")
        finally:
            os.close(folder)
    except OSError as exc:  # unreadable, or gone while looking
        raise BadInput("unwritable", f"{directory}: cannot look in it "
                       f"({exc.strerror or exc})") from None
    return [directory / name for name in names]


def write_new_files(directory: Path, files: dict[str, bytes], mode: int = 0o644) -> list[Path]:
    """Write several new files with one flush to disk instead of one fsync per file.

    Every file goes to a temporary name first; one sync() makes all the data durable;
    only then are the final names linked (each refusing an existing file) and the
    directory fsynced once. A crash leaves no final name on incomplete data.
    """
    targets = refuse_existing(directory, list(files))
    try:
        written = _write_and_link(directory, files, targets, mode)
        fsync_directory(directory)
    except OSError as exc:  # a missing or read-only directory, a full stick, a pulled stick
        names = ", ".join(list(files)[:3]) + (f" and {len(files) - 3} more"
                                               if len(files) > 3 else "")
        raise BadInput("unwritable", f"{directory}: cannot write {names} there "
                       f"({exc.strerror or exc})") from None
    return written


def _write_and_link(
    directory: Path, files: dict[str, bytes], targets: list[Path], mode: int
) -> list[Path]:
    # Names relative to one open directory (openat, linkat, unlinkat): an export writes
    # three files per draft, and resolving the whole path each time is most of the cost.
    folder = os.open(directory, os.O_PATH | os.O_DIRECTORY)
    temporaries: list[str] = []
    written: list[str] = []
    batch = secrets.token_hex(4)  # the names differ already: one random part per call
    try:
        for name, content in files.items():
            temporary = f".{name}.{batch}.tmp"
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode, dir_fd=folder)
            temporaries.append(temporary)
            with os.fdopen(fd, "wb") as out:
                out.write(content)
        os.sync()  # Linux waits for the writeback: the data is on disk before any name
        for temporary, name in zip(temporaries, files, strict=True):
            try:
                os.link(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
            except FileExistsError:
                raise BadInput("output_exists", f"{directory / name} already exists; "
                               "refusing to overwrite it") from None
            written.append(name)
    except BaseException:
        for name in written:
            _unlink(name, folder)
        raise
    finally:
        for temporary in temporaries:
            _unlink(temporary, folder)
        os.close(folder)
    return targets


def _unlink(name: str, folder: int) -> None:
    # Cleaning up after a failure (a pulled stick among them): the first error is the one
    # to report, and the directory must still be closed.
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=folder)
