"""Views of the drafts table that page and count in the database (migration 7's indexes),
so that lists and the dashboard stay as fast after a year of drafts as on the first day;
and the one read model of a listed draft that `airsign drafts` and the TUI's tables show
(ListedDraft, DraftList): the words for what a draft does are usecases.describe's."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from signer.store.appliance_config import HOLDER_IDS
from signer.store.draft_state import DraftState
from signer.store.drafts import _SELECT, Draft, _row

# Draft.state in SQL, so that a view filters and pages in the database.
_STATE = (
    f"CASE WHEN drafts.abandoned_seq IS NOT NULL THEN '{DraftState.ABANDONED}' "
    f"WHEN drafts.complete AND drafts.exported THEN '{DraftState.EXPORTED}' "
    f"WHEN drafts.complete THEN '{DraftState.SIGNED}' "
    "WHEN EXISTS (SELECT 1 FROM draft_signatures WHERE draft_id = drafts.id) "
    f"THEN '{DraftState.PARTIALLY_SIGNED}' "
    f"WHEN drafts.verdict = 'reject' THEN '{DraftState.REJECTED}' "
    f"WHEN drafts.verdict = 'delay' AND NOT drafts.released THEN '{DraftState.DELAYED}' "
    f"ELSE '{DraftState.APPROVED}' END"
)
# What may still need an operator: not exported, not rejected (the partial index
# drafts_open, migration 7), not abandoned, and not delayed until a time still to come.
_NEEDS_ACTION = (
    "drafts.exported = 0 AND drafts.verdict != 'reject' AND drafts.abandoned_seq IS NULL "
    "AND NOT ("
    f"({_STATE}) = 'delayed' AND drafts.not_before IS NOT NULL AND drafts.not_before > ?)"
)


def page(
    conn: sqlite3.Connection, *, state: str | None = None, needs_action_at: str | None = None,
    before_seq: int | None = None, limit: int | None = None,
) -> list[Draft]:
    """Drafts newest first (by import): all of them, those in ``state``, or those that
    need action at time ``needs_action_at`` (ISO); only those imported before journal
    seq ``before_seq``; at most ``limit``."""
    where: list[str] = []
    params: list[Any] = []
    if needs_action_at is not None:
        where.append(_NEEDS_ACTION)
        params.append(needs_action_at)
    if state is not None:
        where.append(f"({_STATE}) = ?")
        params.append(state)
    if before_seq is not None:
        where.append("drafts.imported_seq < ?")
        params.append(before_seq)
    query = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    query += " ORDER BY drafts.imported_seq DESC"
    if limit is not None:
        query += " LIMIT ?"
        params.append(limit)
    return [_row(r) for r in conn.execute(query, params)]


def state_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many drafts are in each state, without reading every draft's row: the open
    ones through drafts_open, the rejected ones from the covering drafts_rejected, and
    the exported ones as the rest of SQLite's count of every draft (migration 7)."""
    counts = dict.fromkeys([str(state) for state in DraftState], 0)
    for state, n in conn.execute(
            f"SELECT {_STATE} AS state, count(*) FROM drafts INDEXED BY drafts_open "
            "WHERE exported = 0 AND verdict != 'reject' GROUP BY state"):
        counts[state] += int(n)
    # A rejected draft that nonetheless carries a signature (judged again after the
    # first one) is partially signed, or signed, or exported, as Draft.state says.
    rejected, abandoned, exported, signed, partial = conn.execute(
        "SELECT count(*), total(abandoned_seq IS NOT NULL), "
        "total(abandoned_seq IS NULL AND complete AND exported), "
        "total(abandoned_seq IS NULL AND complete AND NOT exported), "
        "total(abandoned_seq IS NULL AND NOT complete AND EXISTS (SELECT 1 FROM "
        "draft_signatures WHERE draft_id = drafts.id)) FROM drafts INDEXED BY drafts_rejected "
        "WHERE verdict = 'reject'").fetchone()
    counts["abandoned"] += int(abandoned)
    counts["rejected"] += int(rejected - abandoned - exported - signed - partial)
    counts["partially_signed"] += int(partial)
    counts["signed"] += int(signed)
    counts["exported"] += int(exported)
    (every,) = conn.execute("SELECT count(*) FROM drafts").fetchone()  # b-tree count
    counts["exported"] += int(every) - sum(counts.values())  # not open, not rejected
    return counts


NEEDS_ACTION, ALL = "needs_action", "all"  # the views besides one state's


@dataclass(frozen=True)
class ListedDraft:
    """A draft as every list shows it, whichever face (CLI or TUI) draws the list."""

    row: Draft

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def chain(self) -> str:
        return self.row.chain

    @property
    def state(self) -> DraftState:
        return self.row.state

    @property
    def signed_by(self) -> list[str]:
        return sorted(self.row.signatures)

    def signers(self) -> str:
        """Who signed, as lists write it: "A,B", or "-" for nobody yet."""
        return ",".join(self.signed_by) or "-"

    def to_json(self) -> dict[str, Any]:
        """An entry of `drafts --json` (docs/formats.md)."""
        return {"id": self.id, "chain": self.chain, "state": self.state,
                "verdict": self.row.verdict,
                "signatures": {h: h in self.row.signatures for h in HOLDER_IDS},
                "words": self.row.summary.get("words", [])}


@dataclass(frozen=True)
class DraftList:
    """One page of a view: NEEDS_ACTION, ALL, or a state's word."""

    view: str
    drafts: list[ListedDraft]
    more: bool  # another page follows

    @property
    def next_before(self) -> str | None:
        """The id a next page starts before (`drafts --before`), if there is one."""
        return self.drafts[-1].id if self.more else None


def draft_list(
    conn: sqlite3.Connection, view: str, *, now: str | None = None,
    before_seq: int | None = None, limit: int | None = None,
) -> DraftList:
    """Newest first: the drafts that need action at ``now`` (ISO), every draft, or those
    in one state; imported before journal seq ``before_seq``; at most ``limit``."""
    if view == NEEDS_ACTION and now is None:
        raise ValueError("the needs-action view is of a time: now")
    rows = page(conn, state=None if view in (NEEDS_ACTION, ALL) else view,
                needs_action_at=now if view == NEEDS_ACTION else None, before_seq=before_seq,
                limit=None if limit is None else limit + 1)  # one more: is there a next page?
    more = limit is not None and len(rows) > limit
    return DraftList(view, [ListedDraft(row) for row in rows[:limit]], more)
