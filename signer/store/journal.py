"""The append-only, hash-chained audit journal.

Each entry's hash is SHA-256(previous hash || canonical JSON of seq, time, kind,
actor, data). Entries are written by the caller inside the same transaction as
the action they record, so there is no action without its entry and no entry
without its action. Secrets never enter ``data``.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from signer.canonical import canonical_json
from signer.store.clock import Clock, iso, system_clock

GENESIS = "00" * 32
FORBIDDEN_KEYS = ("pin", "mnemonic", "words", "master_secret", "passphrase", "private_key")


@dataclass(frozen=True)
class Entry:
    seq: int
    time: str
    kind: str
    actor: str
    data: dict[str, Any]
    prev_hash: str
    hash: str

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "kind": self.kind,
            "actor": self.actor,
            "data": self.data,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def entry_hash(prev_hash: str, seq: int, time: str, kind: str, actor: str, data_json: str) -> str:
    """The hash of a stored entry; ``data_json`` as read back (made canonical again)."""
    return _chained(prev_hash, seq, time, kind, actor, canonical_json(json.loads(data_json)))


def _chained(prev_hash: str, seq: int, time: str, kind: str, actor: str, data: bytes) -> str:
    # canonical_json of {seq, time, kind, actor, data} spelled out in sorted-key order,
    # so that an append does not parse back the canonical ``data`` it has just written.
    body = b"".join((b'{"actor":', canonical_json(actor), b',"data":', data,
                     b',"kind":', canonical_json(kind), b',"seq":', str(seq).encode(),
                     b',"time":', canonical_json(time), b"}"))
    return hashlib.sha256(bytes.fromhex(prev_hash) + body).hexdigest()


_SECRET_WORDS = re.compile("|".join(FORBIDDEN_KEYS))


def _refuse_secrets(data: dict[str, Any]) -> None:
    """A programming error, caught in tests: secrets must never reach the journal."""
    for key in data:
        if not isinstance(key, str):  # it would hash differently once read back as text
            raise ValueError(f"journal data key {key!r} is not a string")
        if _SECRET_WORDS.search(key.lower()):
            raise ValueError(f"journal data key {key!r} looks like a secret")


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def append(
    conn: sqlite3.Connection,
    kind: str,
    actor: str,
    data: dict[str, Any],
    clock: Clock = system_clock,
    after: Entry | None = None,
) -> Entry:
    """Append one entry; the caller holds the transaction (see db.transaction).

    ``after``: the entry this caller appended last in the same transaction, so still the
    head (saves reading it back).
    """
    if not conn.in_transaction:
        raise RuntimeError("journal.append must run inside the action's transaction")
    _refuse_secrets(data)
    last_seq, last_hash = (after.seq, after.hash) if after is not None else head(conn)
    seq, time = last_seq + 1, iso(clock())
    data_json = canonical_json(data)
    digest = _chained(last_hash, seq, time, kind, actor, data_json)
    conn.execute(
        "INSERT INTO journal(seq, time, kind, actor, data, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
        (seq, time, kind, actor, data_json.decode(), last_hash, digest),
    )
    return Entry(seq, time, kind, actor, data, last_hash, digest)


def row_entry(row: sqlite3.Row) -> Entry:
    try:
        data = json.loads(row["data"])
    except (TypeError, ValueError):
        data = {"unparseable": str(row["data"])}
    return Entry(
        int(row["seq"]),
        str(row["time"]),
        str(row["kind"]),
        str(row["actor"]),
        data if isinstance(data, dict) else {"value": data},
        str(row["prev_hash"]),
        str(row["hash"]),
    )


def latest(conn: sqlite3.Connection, limit: int, kind: str | None = None) -> list[Entry]:
    """The last ``limit`` entries (of one ``kind``), in seq order: a screen's worth of a
    journal of millions, read backwards from the head through the primary key."""
    query = "SELECT * FROM journal" + (" WHERE kind = ?" if kind else "")
    params: list[Any] = [kind] if kind else []
    rows = conn.execute(query + " ORDER BY seq DESC LIMIT ?", [*params, limit]).fetchall()
    return [row_entry(row) for row in reversed(rows)]


def entries(conn: sqlite3.Connection, since: int = 0, kind: str | None = None) -> Iterator[Entry]:
    """Entries in seq order, optionally from ``since`` and of one ``kind``."""
    query = "SELECT * FROM journal WHERE seq >= ?"
    params: list[Any] = [since]
    if kind:
        query += " AND kind = ?"
        params.append(kind)
    for row in conn.execute(query + " ORDER BY seq", params):
        yield row_entry(row)
