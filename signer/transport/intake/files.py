"""Read files and directory trees from removable media without trusting them.

Nothing is followed or opened that is not a regular file: entries are examined with
lstat (directories through their file descriptor, so a directory swapped for a link
mid-walk is not followed), regular files are opened with O_NOFOLLOW|O_NONBLOCK and the
open file must be the one examined, unchanged until it has been read.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from signer.transport.incoming import RefusedInput

_FILE_FLAGS = (
    os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
)
_DIR_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileBytes:
    """The whole content of one regular file, as read."""

    source: str
    data: bytes
    sha256: str


@dataclass
class Budget:
    """Caps for one scan and how many entries have been examined so far."""

    max_file_bytes: int
    max_entries: int
    max_depth: int
    entries: int = 0
    stopped: bool = False


def shown(name: str) -> str:
    """Text safe to print: control, format, separator (but space) and undecodable characters
    become escapes."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else _escaped(c) for c in text)


def _escaped(char: str) -> str:
    # A newline or a bidi override in a file name or message must not forge a line of output.
    return f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}"


def open_entry(name: str, dir_fd: int | None) -> int:
    """Open a regular file for reading without following a link; tests replace this."""
    return os.open(name, _FILE_FLAGS, dir_fd=dir_fd)


def walk(paths: list[Path], budget: Budget) -> Iterator[FileBytes | RefusedInput]:
    """Every regular file under ``paths`` (sorted by name), or why an entry was refused."""
    for path in paths:
        if budget.stopped:
            return
        yield from _entry(str(path), shown(str(path)), None, 0, budget)


def _entry(
    name: str, source: str, dir_fd: int | None, depth: int, budget: Budget
) -> Iterator[FileBytes | RefusedInput]:
    budget.entries += 1
    if budget.entries > budget.max_entries:
        yield _too_many(source, budget)
        return
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError as exc:
        yield RefusedInput(source, "unreadable", f"{source}: cannot examine ({exc.strerror})")
        return
    if stat.S_ISLNK(info.st_mode):
        yield RefusedInput(source, "symlink", f"{source}: a symbolic link; links are never "
                           "followed, copy the file itself")
    elif stat.S_ISDIR(info.st_mode):
        yield from _directory(name, source, dir_fd, depth, info, budget)
    elif not stat.S_ISREG(info.st_mode):
        yield RefusedInput(source, "not_a_regular_file", f"{source}: a device, pipe or socket, "
                           "not a regular file; not opened")
    elif info.st_size > budget.max_file_bytes:
        yield _too_large(source, info.st_size, budget)
    else:
        yield _read(name, source, dir_fd, info, budget)


def _too_many(source: str, budget: Budget) -> RefusedInput:
    budget.stopped = True
    return RefusedInput(source, "too_many_files", f"{source}: more than {budget.max_entries} files "
                        "and directories in this import; this and what follows were not read")


def _too_large(source: str, size: int, budget: Budget, sha256: str | None = None) -> RefusedInput:
    return RefusedInput(source, "too_large", f"{source}: {size} bytes or more, the limit is "
                        f"{budget.max_file_bytes} bytes", sha256)


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino, a.st_mode, a.st_size, a.st_mtime_ns) == (
        b.st_dev, b.st_ino, b.st_mode, b.st_size, b.st_mtime_ns)


def _changed(source: str) -> RefusedInput:
    return RefusedInput(source, "file_changed", f"{source}: the file changed or was replaced "
                        "while it was being read; not trusted, import it again")


def _read(
    name: str, source: str, dir_fd: int | None, info: os.stat_result, budget: Budget
) -> FileBytes | RefusedInput:
    try:
        fd = open_entry(name, dir_fd)
    except OSError as exc:  # ELOOP: replaced by a link after lstat
        return _changed(source) if exc.errno == errno.ELOOP else RefusedInput(
            source, "unreadable", f"{source}: cannot open ({exc.strerror})")
    try:
        if not _same(os.fstat(fd), info):
            return _changed(source)
        chunks: list[bytes] = []
        size = 0
        while size <= budget.max_file_bytes:
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
        if size > budget.max_file_bytes:
            return _too_large(source, size, budget, hashlib.sha256(data).hexdigest())
        if not _same(os.fstat(fd), info) or size != info.st_size:
            return _changed(source)
    except OSError as exc:
        return RefusedInput(source, "unreadable", f"{source}: cannot read ({exc.strerror})")
    finally:
        os.close(fd)
    return FileBytes(source, data, hashlib.sha256(data).hexdigest())


def _directory(
    name: str, source: str, dir_fd: int | None, depth: int, info: os.stat_result, budget: Budget
) -> Iterator[FileBytes | RefusedInput]:
    if depth >= budget.max_depth:
        yield RefusedInput(source, "too_deep", f"{source}: directories nested deeper than "
                           f"{budget.max_depth} levels; not entered")
        return
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        yield RefusedInput(source, "unreadable", f"{source}: cannot open the directory "
                           f"({exc.strerror})")
        return
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            yield _changed(source)
            return
        try:
            names = _names(fd, budget.max_entries - budget.entries)
        except OSError as exc:
            yield RefusedInput(source, "unreadable", f"{source}: cannot list ({exc.strerror})")
            return
        if names is None:  # listing it all could exhaust memory; reading part is arbitrary
            yield _too_many(source, budget)
            return
        for child in names:
            if budget.stopped:
                return
            yield from _entry(child, shown(os.path.join(source, child)), fd, depth + 1, budget)
    finally:
        os.close(fd)


def _names(fd: int, room: int) -> list[str] | None:
    """Entry names in sorted order, or None if there are more than ``room``."""
    names: list[str] = []
    with os.scandir(fd) as entries:
        for entry in entries:
            if len(names) == room:
                return None
            names.append(entry.name)
    return sorted(names)
