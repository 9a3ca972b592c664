"""Verifying the journal: the chain, then every checkpoint signature.

A checkpoint is itself a journal entry (kind ``checkpoint``) holding an Ed25519
signature, made in a holder's token, over the hash of the entry before it. The
public keys that may sign checkpoints are those registered earlier in the same
chain (kind ``audit_key_registered``); auditors compare them with the ceremony
transcript, so a rewritten chain with keys of the forger's own is caught.

Two walks: ``verify`` (``audit verify --full``) reads every entry from seq 1;
``verify_recent`` (``audit verify``) starts at the head the last checkpoint signed,
so its cost follows what happened since that checkpoint, not the journal's age. Both
stream the journal through one cursor: memory stays flat however long it grows.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from signer.canonical import canonical_json
from signer.store.journal import GENESIS, _chained, entry_hash

CHECKPOINT_PURPOSE = "airsign-journal-checkpoint/1"
_COLUMNS = "seq, time, kind, actor, data, prev_hash, hash"
_Row = tuple[Any, ...]  # the journal's columns in _COLUMNS order


def checkpoint_message(head_seq: int, head_hash: str) -> bytes:
    """The bytes a holder's audit key signs for a checkpoint."""
    return canonical_json(
        {"purpose": CHECKPOINT_PURPOSE, "head_seq": head_seq, "head_hash": head_hash}
    )


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None
    checkpoints: int
    problem: str | None = None
    from_seq: int = 1  # the first entry this walk read (1: the whole journal)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "first_bad_seq": self.first_bad_seq,
            "checkpoints": self.checkpoints,
            "problem": self.problem,
        }


def verify(conn: sqlite3.Connection) -> Verification:
    """Walk the whole journal; name the first entry that breaks the chain or a checkpoint."""
    return _walk(conn, 1, GENESIS, {}, everything=True)


def verify_recent(conn: sqlite3.Connection) -> Verification:
    """Walk from the head signed by the last checkpoint to the end of the journal.

    Covered: every entry from that head on (contiguous seq, prev_hash links, contents
    against hashes), the last checkpoint's signature under an audit key whose
    registration entry is intact, and the head it names. Not covered: entries before
    that head (``verify``, `audit verify --full`). No checkpoint yet: the whole walk.
    """
    last = _cursor(conn).execute(
        f"SELECT {_COLUMNS} FROM journal WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    head_seq = _head_seq(last)
    # No checkpoint, or one whose head is not an earlier entry (only a forger makes
    # that, and only the whole walk would read past it): the whole walk decides.
    if last is None or head_seq is None or not 1 <= head_seq < int(last[0]):
        return verify(conn)
    head = _cursor(conn).execute(
        f"SELECT {_COLUMNS} FROM journal WHERE seq = ?", (head_seq,)
    ).fetchone()
    if head is None:
        return Verification(False, int(last[0]), int(last[0]), 0,
                            f"seq {last[0]}: checkpoint names a head that is not in the chain",
                            head_seq)
    keys, problem_seq, problem = _registered_keys(conn, head_seq)
    if problem is not None:
        return Verification(False, int(last[0]), problem_seq, 0, problem, head_seq)
    return _walk(conn, head_seq, str(head[5]), keys, everything=False)


def _cursor(conn: sqlite3.Connection) -> sqlite3.Cursor:
    # Plain tuples: the walk reads a million rows and needs no column names.
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor


def _head_seq(row: _Row | None) -> int | None:
    try:
        head_seq = json.loads(row[4]).get("head_seq") if row is not None else None
    except (ValueError, TypeError, AttributeError):
        return None
    return head_seq if isinstance(head_seq, int) else None


def _registered_keys(
    conn: sqlite3.Connection, before: int
) -> tuple[dict[str, str], int | None, str | None]:
    """Audit keys registered before seq ``before`` (public key hex -> holder), each
    registration entry's contents checked against its hash."""
    keys: dict[str, str] = {}
    for row in _cursor(conn).execute(
        f"SELECT {_COLUMNS} FROM journal WHERE kind = 'audit_key_registered' AND seq < ? "
        "ORDER BY seq", (before,)
    ):
        if _content_problem(row) is not None:
            return keys, int(row[0]), _content_problem(row)
        _register(keys, row)
    return keys, None, None


def _register(keys: dict[str, str], row: _Row) -> None:
    data = json.loads(row[4])
    if isinstance(data, dict):
        keys[str(data.get("public_key"))] = str(data.get("holder"))


def _walk(
    conn: sqlite3.Connection, first_seq: int, prev_hash: str, keys: dict[str, str],
    everything: bool,
) -> Verification:
    """Stream entries from ``first_seq`` (all of them when ``everything``), checking links,
    hashes and checkpoints as they pass; only the previous hash and the keys are kept."""
    where = "" if everything else "WHERE seq >= ? "
    rows = _cursor(conn).execute(
        f"SELECT {_COLUMNS} FROM journal {where}ORDER BY seq", () if everything else (first_seq,)
    )
    checkpoints, expected_seq = 0, first_seq
    for row in rows:
        seq, kind = row[0], row[2]
        problem = _link_problem(row, prev_hash, expected_seq) or _content_problem(row)
        if problem is None and kind == "checkpoint":
            problem = _checkpoint_problem(conn, row, prev_hash, keys)
            checkpoints += 1
        if problem is not None:
            return Verification(False, _count(conn, first_seq, everything),
                                int(seq) if isinstance(seq, int) else expected_seq,
                                checkpoints, problem, first_seq)
        if kind == "audit_key_registered":
            _register(keys, row)
        prev_hash, expected_seq = str(row[6]), seq + 1
    return Verification(True, expected_seq - 1, None, checkpoints, None, first_seq)


def _count(conn: sqlite3.Connection, first_seq: int, everything: bool) -> int:
    """The entries the walk covers (a broken walk still reports how many there are)."""
    if everything:
        return int(conn.execute("SELECT count(*) FROM journal").fetchone()[0])
    return int(conn.execute("SELECT count(*) FROM journal WHERE seq >= ?",
                            (first_seq,)).fetchone()[0]) + first_seq - 1


def _link_problem(row: _Row, prev_hash: str, expected_seq: int) -> str | None:
    seq = row[0]
    if seq != expected_seq:
        return f"expected seq {expected_seq}, found {seq} (an entry was deleted or inserted)"
    if row[5] != prev_hash:
        return f"seq {seq}: prev_hash does not match the hash of the entry before it"
    return None


def _content_problem(row: _Row) -> str | None:
    seq, time, kind, actor, data, prev_hash, digest = row
    # The journal stores the canonical bytes it hashed: when they hash to the entry's hash
    # as stored, they are what was hashed, and parsing them again would prove nothing more
    # (this halves the walk). Anything else is parsed and made canonical, as written.
    if isinstance(data, str) and data[:1] == "{" and _chained(
        str(prev_hash), seq, str(time), str(kind), str(actor), data.encode()
    ) == digest:
        return None
    try:
        recomputed = entry_hash(str(prev_hash), seq, str(time), str(kind), str(actor), str(data))
    except (ValueError, TypeError):
        return f"seq {seq}: data is not valid JSON"
    if recomputed != digest:
        return f"seq {seq}: contents do not match its hash (the entry was edited)"
    return None


def _checkpoint_problem(
    conn: sqlite3.Connection, row: _Row, prev_hash: str, keys: dict[str, str]
) -> str | None:
    seq = row[0]
    data = json.loads(row[4])
    data = data if isinstance(data, dict) else {}
    head_seq, head_hash = data.get("head_seq"), data.get("head_hash")
    public_key, signature = str(data.get("public_key", "")), str(data.get("signature", ""))
    if not isinstance(head_seq, int) or _hash_at(conn, head_seq, seq, prev_hash) != head_hash:
        return f"seq {seq}: checkpoint names a head that is not in the chain"
    if keys.get(public_key) != data.get("holder"):
        return f"seq {seq}: checkpoint key is not a registered audit key of that holder"
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
            bytes.fromhex(signature), checkpoint_message(head_seq, str(head_hash))
        )
    except (InvalidSignature, ValueError):
        return f"seq {seq}: checkpoint signature does not verify"
    return None


def _hash_at(conn: sqlite3.Connection, head_seq: int, seq: int, prev_hash: str) -> str | None:
    """The hash of entry ``head_seq``, one already walked (before ``seq``). A checkpoint
    signs the entry right before it, so this is nearly always the hash in hand."""
    if head_seq == seq - 1:
        return prev_hash
    if not 1 <= head_seq < seq:
        return None
    row = conn.execute("SELECT hash FROM journal WHERE seq = ?", (head_seq,)).fetchone()
    return None if row is None else str(row[0])
