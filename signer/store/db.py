"""SQLite state with forward-only, versioned migrations.

WAL and synchronous=FULL: a committed action survives power loss, and a crash
mid-transaction leaves no trace of it (nor of its journal entry).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from signer.errors import AirsignError, BadInput

Migration = Callable[[sqlite3.Connection], None]
_MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, name: str) -> Callable[[Migration], Migration]:
    """Register a schema step; versions are applied in order and never edited once released."""

    def register(step: Migration) -> Migration:
        if any(v == version for v, _, _ in _MIGRATIONS):
            raise RuntimeError(f"migration {version} registered twice")
        _MIGRATIONS.append((version, name, step))
        _MIGRATIONS.sort(key=lambda entry: entry[0])
        return step

    return register


def latest_version() -> int:
    return _MIGRATIONS[-1][0] if _MIGRATIONS else 0


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the state database."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as exc:
        raise BadInput(
            "state_unreadable", f"{path}: not an airsign state database ({exc})"
        ) from None
    conn.row_factory = sqlite3.Row
    migrate(conn, path)
    return conn


def migrate(conn: sqlite3.Connection, path: Path | str = "state.db") -> int:
    """Apply every migration newer than the database's user_version; return the version."""
    import signer.store.schema  # noqa: F401 - registers the migrations

    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > latest_version():
        raise AirsignError(
            "state_too_new",
            f"{path} has schema version {current}, newer than this airsign "
            f"({latest_version()}): upgrade airsign, never downgrade a home",
        )
    for version, _name, step in _MIGRATIONS:
        if version <= current:
            continue
        with transaction(conn):
            step(conn)
            conn.execute(f"PRAGMA user_version={version}")
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception; nests as a SAVEPOINT.

    IMMEDIATE takes the write lock up front so the journal head read inside the
    transaction cannot be raced by another writer. Nested inside a batch (one import
    or signing run commits once), each action is a savepoint: a failed draft rolls
    back alone, and its action and journal entry still go or stay together.
    """
    if conn.in_transaction:
        name = f"action_{next(_SAVEPOINTS)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


_SAVEPOINTS = itertools.count(1)
