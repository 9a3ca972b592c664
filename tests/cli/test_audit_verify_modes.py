"""`audit verify` (from the last HSM-signed checkpoint on) and `audit verify --full`.

The checkpoint is made by a real SoftHSM token (`tokens check A` logs A in and signs
the head); the forger then edits state.db directly, as one with the disk would.
"""

from __future__ import annotations

import sqlite3

import pytest

from signer.store import db, journal
from signer.store.db import transaction
from signer.store.journal import entry_hash
from tests.conftest import Cli


def _state(cli: Cli) -> sqlite3.Connection:
    return db.connect(cli.home / "state.db")


def _last_checkpoint(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT max(seq) FROM journal WHERE kind = 'checkpoint'").fetchone()[0])


@pytest.fixture
def checkpointed(cli: Cli, pins: str) -> int:
    """A home whose journal has entries, an HSM-signed checkpoint, then three more entries
    (what commands that log nobody in leave after the last checkpoint). Returns the
    checkpoint's seq."""
    assert cli("tokens", "check", "A")[0] == 0
    assert cli("tokens", "check", "B")[0] == 0  # a second checkpoint, B's key registered
    conn = _state(cli)
    seq = _last_checkpoint(conn)
    with transaction(conn):
        for n in range(3):
            journal.append(conn, "event", "appliance", {"n": n})
    conn.close()
    return seq


def _rehash_from(conn: sqlite3.Connection, first_seq: int) -> None:
    """What a careful forger does: recompute every hash after the change."""
    prev_hash = conn.execute("SELECT hash FROM journal WHERE seq = ?",
                             (first_seq - 1,)).fetchone()[0]
    for row in conn.execute("SELECT * FROM journal WHERE seq >= ? ORDER BY seq", (first_seq,)):
        new = entry_hash(prev_hash, row["seq"], row["time"], row["kind"], row["actor"], row["data"])
        conn.execute("UPDATE journal SET prev_hash = ?, hash = ? WHERE seq = ?",
                     (prev_hash, new, row["seq"]))
        prev_hash = new


def test_an_intact_journal_verifies_in_both_modes(cli: Cli, checkpointed: int) -> None:
    code, recent = cli("audit", "verify")
    assert code == 0 and recent["ok"] is True and recent["mode"] == "recent"
    assert recent["from_seq"] == checkpointed - 1  # the head the checkpoint signed
    assert recent["checkpoints"] == 1 and recent["entries"] == checkpointed + 3
    code, full = cli("audit", "verify", "--full")
    assert code == 0 and full["ok"] is True and full["mode"] == "full" and full["from_seq"] == 1
    assert full["entries"] == checkpointed + 3 and full["checkpoints"] == 2


def test_an_edit_before_the_last_checkpoint_is_found_by_full(
    cli: Cli, checkpointed: int
) -> None:
    conn = _state(cli)
    edited = checkpointed - 3  # before the head the last checkpoint signed
    conn.execute("UPDATE journal SET actor = 'forger' WHERE seq = ?", (edited,))
    conn.close()
    code, recent = cli("audit", "verify")
    assert code == 0 and recent["ok"] is True  # outside what the quick walk reads
    code, full = cli("audit", "verify", "--full")
    assert code == 3 and full["first_bad_seq"] == edited
    assert "contents do not match its hash" in full["problem"]


@pytest.mark.parametrize("offset", [1, 3])  # the first entry after it, and the last one
def test_an_edit_after_the_last_checkpoint_is_found_by_both(
    cli: Cli, checkpointed: int, offset: int
) -> None:
    conn = _state(cli)
    conn.execute("""UPDATE journal SET data = '{"n":500}' WHERE seq = ?""",
                 (checkpointed + offset,))
    conn.close()
    for args in (("audit", "verify"), ("audit", "verify", "--full")):
        code, doc = cli(*args)
        assert code == 3 and doc["first_bad_seq"] == checkpointed + offset, args


def test_a_deleted_entry_after_the_last_checkpoint_is_found_by_both(
    cli: Cli, checkpointed: int
) -> None:
    conn = _state(cli)
    conn.execute("DELETE FROM journal WHERE seq = ?", (checkpointed + 2,))
    conn.close()
    for args in (("audit", "verify"), ("audit", "verify", "--full")):
        code, doc = cli(*args)
        assert code == 3 and doc["first_bad_seq"] == checkpointed + 3, args
        assert "deleted or inserted" in doc["problem"]


def test_a_rehashed_edit_of_the_signed_head_breaks_the_checkpoint_in_both(
    cli: Cli, checkpointed: int
) -> None:
    conn = _state(cli)
    head = checkpointed - 1
    conn.execute("UPDATE journal SET actor = 'forger' WHERE seq = ?", (head,))
    _rehash_from(conn, head)  # every hash after it made consistent again
    conn.close()
    for args in (("audit", "verify"), ("audit", "verify", "--full")):
        code, doc = cli(*args)
        assert code == 3 and doc["first_bad_seq"] == checkpointed, args
        assert "checkpoint" in doc["problem"]


def test_a_forged_checkpoint_signature_is_found_by_both(cli: Cli, checkpointed: int) -> None:
    conn = _state(cli)
    data = conn.execute("SELECT data FROM journal WHERE seq = ?", (checkpointed,)).fetchone()[0]
    signature = data.split('"signature":"')[1][:128]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    conn.execute("UPDATE journal SET data = ? WHERE seq = ?",
                 (data.replace(signature, flipped), checkpointed))
    _rehash_from(conn, checkpointed)
    conn.close()
    for args in (("audit", "verify"), ("audit", "verify", "--full")):
        code, doc = cli(*args)
        assert code == 3 and doc["first_bad_seq"] == checkpointed, args
        assert "signature does not verify" in doc["problem"]


def test_an_edited_audit_key_registration_is_found_by_both(
    cli: Cli, checkpointed: int
) -> None:
    conn = _state(cli)
    (seq,) = conn.execute("SELECT max(seq) FROM journal WHERE kind = 'audit_key_registered'"
                          ).fetchone()
    conn.execute("UPDATE journal SET data = replace(data, '\"holder\":\"B\"', '\"holder\":\"C\"')"
                 " WHERE seq = ?", (seq,))
    conn.close()
    for args in (("audit", "verify"), ("audit", "verify", "--full")):
        code, doc = cli(*args)
        assert code == 3 and doc["first_bad_seq"] == seq, args


def test_without_a_checkpoint_the_quick_walk_is_the_whole_walk(cli: Cli) -> None:
    conn = _state(cli)
    conn.execute("UPDATE journal SET actor = 'forger' WHERE seq = 1")
    conn.close()
    code, doc = cli("audit", "verify")
    assert code == 3 and doc["first_bad_seq"] == 1 and doc["from_seq"] == 1


def test_text_output_says_where_the_quick_walk_started(
    cli: Cli, checkpointed: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from signer.cli.main import run

    capsys.readouterr()
    assert run(["--home", str(cli.home), "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert f"checked from seq {checkpointed - 1}" in out and "--full" in out


def test_a_new_session_moves_the_quick_walk_to_its_checkpoint(
    cli: Cli, checkpointed: int
) -> None:
    """Nothing frozen: a new session's checkpoint is verified by the quick walk."""
    assert cli("tokens", "check", "C")[0] == 0
    code, doc = cli("audit", "verify")
    assert code == 0 and doc["from_seq"] > checkpointed and doc["checkpoints"] == 1
