"""The velocity ledger's rows (migration 3): what was signed, to whom, and what came in.

signer.risk reads them through its ledgers and decides with them; here they are only
stored and found. Amounts are plain decimal text in the asset's unit (wei-scale sums
overflow SQLite's int64); times are microseconds (clock.to_micros). None of the writers
commits: the caller commits with its own change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from decimal import Context, Decimal, localcontext

# Sums of amounts are exact: no rounding at any size a ledger reaches.
EXACT = Context(prec=120)


def amount_text(amount: Decimal) -> str:
    """Exact plain decimal notation without exponent or trailing zeros."""
    text = format(amount, "f")  # unlike normalize(), never rounds to the context precision
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- signed amounts ---------------------------------------------------------------------

def running_total(
    conn: sqlite3.Connection, asset: str, before: int | None = None, *, inclusive: bool = False
) -> tuple[str | None, int | None] | None:
    """The running total and count of the asset's last row (signed before ``before``,
    or at it too when ``inclusive``); None when there is no such row. Two Nones: rows
    written before migration 6 gave them running totals."""
    where = "" if before is None else ("AND signed_at <= ? " if inclusive else "AND signed_at < ? ")
    row = conn.execute(
        "SELECT running_total, running_count FROM risk_signed WHERE asset = ? " + where
        + "ORDER BY signed_at DESC, rowid DESC LIMIT 1",
        (asset,) if before is None else (asset, before),
    ).fetchone()
    return None if row is None else (row[0], row[1])


def window_sum(conn: sqlite3.Connection, asset: str, since: int) -> tuple[Decimal, int]:
    """The exact sum and count of the asset's rows signed at or after ``since``, by a
    scan: for rows without running totals."""
    count, amounts = conn.execute(
        "SELECT count(*), group_concat(amount, ' ') FROM risk_signed "
        "WHERE asset = ? AND signed_at >= ?", (asset, since)).fetchone()
    with localcontext(EXACT):
        total = sum(map(Decimal, amounts.split() if amounts else ()), Decimal(0))
    return total, int(count)


def signed_since(conn: sqlite3.Connection, asset: str, since: int) -> list[tuple[int, Decimal]]:
    """(signed_at, amount) of the asset's rows signed at or after ``since``, oldest first."""
    rows = conn.execute(
        "SELECT signed_at, amount FROM risk_signed WHERE asset = ? AND signed_at >= ? "
        "ORDER BY signed_at", (asset, since)).fetchall()
    return [(int(at), Decimal(amount)) for at, amount in rows]


def recent_signed(conn: sqlite3.Connection, asset: str, limit: int) -> list[tuple[int, Decimal]]:
    """(signed_at, amount) of the asset's last ``limit`` rows, newest first."""
    rows = conn.execute(
        "SELECT signed_at, amount FROM risk_signed WHERE asset = ? "
        "ORDER BY signed_at DESC LIMIT ?", (asset, limit)).fetchall()
    return [(int(at), Decimal(amount)) for at, amount in rows]


def add_signed(
    conn: sqlite3.Connection, draft_id: str, asset: str, amount: Decimal, at: int,
    destinations: Iterable[str],
) -> bool:
    """Enter a signed draft, with its running total, and the (normalised) destinations it
    pays; False, and nothing written, when the draft is in the ledger already."""
    # Running total and count up to this row (signed_at, then rowid: a new row's rowid is
    # the largest, so it follows every row of the same time), for the ledger's windows.
    before_total, before_count = running_total(conn, asset, at, inclusive=True) or ("0", 0)
    if before_total is None or before_count is None:  # migration 7 backfills them all
        raise ValueError(f"risk_signed rows of {asset} have no running totals")
    with localcontext(EXACT):
        total = Decimal(before_total) + amount
    try:
        conn.execute(
            "INSERT INTO risk_signed (draft_id, asset, amount, signed_at, running_total, "
            "running_count) VALUES (?, ?, ?, ?, ?, ?)",
            (draft_id, asset, amount_text(amount), at, amount_text(total), before_count + 1),
        )
    except sqlite3.IntegrityError:
        return False
    _shift_later(conn, asset, "signed_at > ?", (at,), amount, +1)
    conn.executemany(
        "INSERT OR IGNORE INTO risk_signed_destination (destination, draft_id) VALUES (?, ?)",
        [(destination, draft_id) for destination in sorted(set(destinations))],
    )
    return True


def remove_signed(conn: sqlite3.Connection, draft_id: str) -> bool:
    """Take a draft out of the ledger, its destinations with it; the rows after it
    (signed_at, then rowid) no longer include it in their running totals."""
    row = conn.execute("SELECT rowid, asset, amount, signed_at FROM risk_signed "
                       "WHERE draft_id = ?", (draft_id,)).fetchone()
    conn.execute("DELETE FROM risk_signed_destination WHERE draft_id = ?", (draft_id,))
    if row is None:
        return False
    rowid, asset, amount, micros = row
    _shift_later(conn, asset, "running_total IS NOT NULL AND (signed_at > ? OR "
                 "(signed_at = ? AND rowid > ?))", (micros, micros, rowid), -Decimal(amount), -1)
    conn.execute("DELETE FROM risk_signed WHERE rowid = ?", (rowid,))
    return True


def _shift_later(
    conn: sqlite3.Connection, asset: str, where: str, params: tuple[object, ...],
    amount: Decimal, count: int,
) -> None:
    """Add ``amount`` and ``count`` to the running totals of the asset's rows ``where``
    (signed later than a row added when the clock went back, or after one removed)."""
    later = conn.execute(
        "SELECT rowid, running_total, running_count FROM risk_signed WHERE asset = ? AND "
        + where, (asset, *params)).fetchall()
    with localcontext(EXACT):
        conn.executemany(
            "UPDATE risk_signed SET running_total = ?, running_count = ? WHERE rowid = ?",
            [(amount_text(Decimal(total) + amount), n + count, rowid)
             for rowid, total, n in later])


# --- destinations paid ------------------------------------------------------------------

def ever_paid(conn: sqlite3.Connection, destination: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM risk_signed_destination WHERE destination = ? LIMIT 1", (destination,)
    ).fetchone()
    return row is not None


def paid_starting_with(conn: sqlite3.Connection, head: str, limit: int) -> list[str]:
    """Destinations paid before whose (lowercase) text starts with ``head``: one range
    through the primary key, however long the history."""
    rows = conn.execute(
        "SELECT destination FROM risk_signed_destination WHERE destination >= ? "
        "AND destination < ? LIMIT ?", (head, head + "\uffff", limit)).fetchall()
    return [str(r[0]) for r in rows]


# --- drafts imported (the burst rule) ---------------------------------------------------

def add_imported(conn: sqlite3.Connection, draft_id: str, at: int) -> None:
    """Counted once, however often the draft is imported."""
    conn.execute("INSERT OR IGNORE INTO risk_imported (draft_id, imported_at) VALUES (?, ?)",
                 (draft_id, at))


def imported_since(conn: sqlite3.Connection, since: int) -> int:
    (count,) = conn.execute(
        "SELECT count(*) FROM risk_imported WHERE imported_at >= ?", (since,)).fetchone()
    return int(count)

