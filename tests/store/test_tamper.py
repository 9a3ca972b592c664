"""Any edit, deletion, reordering or insertion in the journal is caught and located."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signer.store import audit, db, journal
from signer.store.audit import checkpoint_message
from signer.store.db import transaction
from signer.store.journal import entry_hash


def _append_checkpoint(conn: sqlite3.Connection, key: Ed25519PrivateKey) -> None:
    """Holder A's checkpoint over the current head, signed by ``key``."""
    seq, head = journal.head(conn)
    journal.append(conn, "checkpoint", "A", {
        "holder": "A", "head_seq": seq, "head_hash": head,
        "public_key": key.public_key().public_bytes_raw().hex(),
        "signature": key.sign(checkpoint_message(seq, head)).hex(),
    })


def _journal_with_checkpoint(path: Path, key: Ed25519PrivateKey) -> sqlite3.Connection:
    """Ten entries, a registered audit key, and a checkpoint over entry 11."""
    conn = db.connect(path)
    public = key.public_key().public_bytes_raw().hex()
    with transaction(conn):
        for n in range(10):
            journal.append(conn, "event", "A", {"n": n})
        journal.append(conn, "audit_key_registered", "A", {"holder": "A", "public_key": public})
        _append_checkpoint(conn, key)
        journal.append(conn, "event", "A", {"n": 99})
    return conn


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return _journal_with_checkpoint(tmp_path / "state.db", Ed25519PrivateKey.generate())


def _rehash_from(conn: sqlite3.Connection, first_seq: int) -> None:
    """What a careful forger does: recompute every hash after the change."""
    prev = conn.execute("SELECT hash FROM journal WHERE seq = ?", (first_seq - 1,)).fetchone()
    prev_hash = prev[0] if prev else journal.GENESIS
    for row in conn.execute("SELECT * FROM journal WHERE seq >= ? ORDER BY seq", (first_seq,)):
        new = entry_hash(prev_hash, row["seq"], row["time"], row["kind"], row["actor"], row["data"])
        conn.execute(
            "UPDATE journal SET prev_hash = ?, hash = ? WHERE seq = ?", (prev_hash, new, row["seq"])
        )
        prev_hash = new


def test_the_untouched_journal_verifies(conn: sqlite3.Connection) -> None:
    result = audit.verify(conn)
    assert result.as_json() == {
        "ok": True,
        "entries": 13,
        "first_bad_seq": None,
        "checkpoints": 1,
        "problem": None,
    }


def test_editing_a_row_is_named(conn: sqlite3.Connection) -> None:
    conn.execute("""UPDATE journal SET data = '{"n":500}' WHERE seq = 4""")
    result = audit.verify(conn)
    assert (result.ok, result.first_bad_seq) == (False, 4)


def test_editing_the_time_or_actor_is_named(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE journal SET actor = 'B' WHERE seq = 7")
    assert audit.verify(conn).first_bad_seq == 7


def test_deleting_a_row_is_named(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM journal WHERE seq = 5")
    result = audit.verify(conn)
    assert (result.ok, result.first_bad_seq) == (False, 6)


def test_reordering_rows_is_named(conn: sqlite3.Connection) -> None:
    rows = {r["seq"]: dict(r) for r in conn.execute("SELECT * FROM journal WHERE seq IN (3, 4)")}
    conn.execute("UPDATE journal SET seq = -1 WHERE seq = 3")
    conn.execute("UPDATE journal SET seq = 3, hash = hash || 'x' WHERE seq = 4")
    conn.execute("UPDATE journal SET seq = 4 WHERE seq = -1")
    conn.execute("UPDATE journal SET hash = ? WHERE seq = 3", (rows[4]["hash"],))
    result = audit.verify(conn)
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_inserting_a_row_is_named(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE journal SET seq = seq + 1000 WHERE seq >= 6")
    conn.execute("UPDATE journal SET seq = seq - 999 WHERE seq >= 1006")
    prev = conn.execute("SELECT hash FROM journal WHERE seq = 5").fetchone()[0]
    data = json.dumps({"n": "forged"})
    forged = entry_hash(
        prev,
        6,
        "2026-01-01T00:00:00Z",
        "event",
        "A",
        json.dumps({"n": "forged"}, separators=(",", ":")),
    )
    conn.execute(
        "INSERT INTO journal VALUES (6, '2026-01-01T00:00:00Z', 'event', 'A', ?, ?, ?)",
        (data.replace(" ", ""), prev, forged),
    )
    result = audit.verify(conn)
    assert (result.ok, result.first_bad_seq) == (False, 7)


def test_a_rehashed_edit_before_a_checkpoint_breaks_the_checkpoint(
    conn: sqlite3.Connection,
) -> None:
    conn.execute("""UPDATE journal SET data = '{"n":500}' WHERE seq = 4""")
    _rehash_from(conn, 4)
    result = audit.verify(conn)
    assert (result.ok, result.first_bad_seq) == (False, 12)
    assert "head" in (result.problem or "")


def test_a_forged_checkpoint_signature_is_detected(conn: sqlite3.Connection) -> None:
    row = conn.execute("SELECT data FROM journal WHERE kind = 'checkpoint'").fetchone()
    data = json.loads(row[0])
    data["signature"] = Ed25519PrivateKey.generate().sign(b"forged").hex()
    conn.execute(
        "UPDATE journal SET data = ? WHERE kind = 'checkpoint'",
        (json.dumps(data, sort_keys=True, separators=(",", ":")),),
    )
    _rehash_from(conn, 12)
    result = audit.verify(conn)
    assert (result.ok, result.first_bad_seq) == (False, 12)
    assert "signature" in (result.problem or "")


def test_a_checkpoint_by_an_unregistered_key_is_detected(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "state.db")
    stranger = Ed25519PrivateKey.generate()
    with transaction(conn):
        journal.append(conn, "event", "A", {"n": 1})
        _append_checkpoint(conn, stranger)
    result = audit.verify(conn)
    assert (result.ok, result.first_bad_seq) == (False, 2)


def test_entries_are_written_only_inside_an_action_transaction(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "state.db")
    with pytest.raises(RuntimeError):
        journal.append(conn, "event", "A", {"n": 1})


@pytest.mark.parametrize("key", ["pin", "user_pin", "mnemonic", "words", "master_secret"])
def test_secrets_never_enter_the_journal(tmp_path: Path, key: str) -> None:
    conn = db.connect(tmp_path / "state.db")
    with pytest.raises(ValueError), transaction(conn):
        journal.append(conn, "event", "A", {key: "1234"})
    assert conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 0
