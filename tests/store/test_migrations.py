"""Schema migrations are versioned and forward-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from signer.errors import AirsignError, BadInput
from signer.store import db
from signer.store.toml_text import parse_toml


def test_a_new_database_reaches_the_latest_version(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "state.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == db.latest_version() >= 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"journal", "audit_keys", "lockouts"} <= tables


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    db.connect(tmp_path / "state.db").close()
    conn = db.connect(tmp_path / "state.db")
    assert db.migrate(conn) == db.latest_version()


def test_an_older_database_is_migrated_forward(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version=0")
    raw.close()
    conn = db.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == db.latest_version()


def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    db.connect(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version={db.latest_version() + 1}")
    raw.close()
    with pytest.raises(AirsignError) as refused:
        db.connect(path)
    assert refused.value.code == "state_too_new"


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "state.db")
    version = db.latest_version()

    def broken(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("power cut")

    db._MIGRATIONS.append((version + 1, "broken", broken))
    try:
        with pytest.raises(RuntimeError):
            db.migrate(conn)
    finally:
        db._MIGRATIONS.pop()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half_done" not in tables


def test_a_failed_action_inside_a_batch_rolls_back_alone(tmp_path: Path) -> None:
    from signer.store import journal
    from signer.store.db import transaction

    conn = db.connect(tmp_path / "state.db")
    with transaction(conn):
        with transaction(conn):
            journal.append(conn, "kept", "A", {"n": 1})
        with pytest.raises(RuntimeError), transaction(conn):
            journal.append(conn, "lost", "A", {"n": 2})
            raise RuntimeError("this draft failed")
        with transaction(conn):
            journal.append(conn, "kept", "A", {"n": 3})
    kinds = [r[0] for r in conn.execute("SELECT kind FROM journal ORDER BY seq")]
    assert kinds == ["kept", "kept"]
    from signer.store import audit

    assert audit.verify(conn).ok


def test_batched_files_are_written_whole_and_never_overwrite(tmp_path: Path) -> None:
    from signer.errors import BadInput
    from signer.store.files import write_new_files

    written = write_new_files(tmp_path, {"a.txt": b"alpha", "b.txt": b"beta"})
    assert [p.read_bytes() for p in written] == [b"alpha", b"beta"]
    with pytest.raises(BadInput):
        write_new_files(tmp_path, {"c.txt": b"gamma", "a.txt": b"other"})
    assert (tmp_path / "a.txt").read_bytes() == b"alpha"
    assert not (tmp_path / "c.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_toml_nested_past_the_stack_is_bad_input() -> None:
    with pytest.raises(BadInput) as caught:
        parse_toml("x = " + "[" * 100_000 + "]" * 100_000, "deep.toml", "bad_thing")
    assert caught.value.code == "bad_thing" and "deep.toml" in caught.value.message
