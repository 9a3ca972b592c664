"""Verifying the journal: the chain, then every checkpoint signature.

A checkpoint is itself a journal entry (kind ``checkpoint``) holding an Ed25519
signature, made in a holder's token, over the hash of the entry before it. The
public keys that may sign checkpoints are those registered earlier in the same
chain (kind ``audit_key_registered``); auditors compare them with the ceremony
transcript, so a rewritten chain with keys of the forger's own is caught.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from signer.store.canonical import canonical_json
from signer.store.journal import GENESIS, Entry, entry_hash, row_entry

CHECKPOINT_PURPOSE = "airsign-journal-checkpoint/1"


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
    # One read of the journal: each raw row (its hash is recomputed from these bytes) and
    # the entry made from it, so an append while verifying cannot misalign the two.
    rows = list(conn.execute("SELECT * FROM journal ORDER BY seq"))
    by_seq: dict[int, str] = {}
    keys: dict[str, str] = {}  # public key hex -> holder
    checkpoints = 0
    prev_hash, expected_seq = GENESIS, 1
    for row in rows:
        entry = row_entry(row)
        problem = _chain_problem(row, entry, prev_hash, expected_seq)
        if problem is None and entry.kind == "checkpoint":
            problem = _checkpoint_problem(entry, by_seq, keys)
            checkpoints += 1
        if problem is not None:
            return Verification(False, len(rows), entry.seq, checkpoints, problem)
        if entry.kind == "audit_key_registered":
            keys[str(entry.data.get("public_key"))] = str(entry.data.get("holder"))
        by_seq[entry.seq] = entry.hash
        prev_hash, expected_seq = entry.hash, entry.seq + 1
    return Verification(True, len(rows), None, checkpoints)


def _chain_problem(row: sqlite3.Row, entry: Entry, prev_hash: str, expected_seq: int) -> str | None:
    if entry.seq != expected_seq:
        return f"expected seq {expected_seq}, found {entry.seq} (an entry was deleted or inserted)"
    if entry.prev_hash != prev_hash:
        return f"seq {entry.seq}: prev_hash does not match the hash of the entry before it"
    try:
        recomputed = entry_hash(
            entry.prev_hash, entry.seq, entry.time, entry.kind, entry.actor, str(row["data"])
        )
    except (ValueError, TypeError):
        return f"seq {entry.seq}: data is not valid JSON"
    if recomputed != entry.hash:
        return f"seq {entry.seq}: contents do not match its hash (the entry was edited)"
    return None


def _checkpoint_problem(entry: Entry, by_seq: dict[int, str], keys: dict[str, str]) -> str | None:
    data = entry.data
    head_seq, head_hash = data.get("head_seq"), data.get("head_hash")
    public_key, signature = str(data.get("public_key", "")), str(data.get("signature", ""))
    if not isinstance(head_seq, int) or by_seq.get(head_seq) != head_hash:
        return f"seq {entry.seq}: checkpoint names a head that is not in the chain"
    if keys.get(public_key) != data.get("holder"):
        return f"seq {entry.seq}: checkpoint key is not a registered audit key of that holder"
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
            bytes.fromhex(signature), checkpoint_message(head_seq, str(head_hash))
        )
    except (InvalidSignature, ValueError):
        return f"seq {entry.seq}: checkpoint signature does not verify"
    return None
