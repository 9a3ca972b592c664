"""The indexed views agree with Draft.state, row for row."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from signer.store import db, draft_views, drafts
from tests.cli.test_drafts_view import FUTURE, PAST, _draft


def test_state_counts_match_every_rows_state(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "state.db")
    _draft(conn, 1)
    _draft(conn, 2, "delay", PAST)
    _draft(conn, 3, "delay", FUTURE, released=True)
    _draft(conn, 4, "reject")
    _draft(conn, 5, "reject", signed_by="A")  # judged again after A signed: still partial
    _draft(conn, 6, signed_by="A")
    _draft(conn, 7, signed_by="AB", complete=True)
    _draft(conn, 8, signed_by="AB", complete=True, exported=True)
    _draft(conn, 9, signed_by="BC", complete=True, exported=True)
    counts = draft_views.state_counts(conn)
    assert {k: v for k, v in counts.items() if v} == Counter(r.state for r in drafts.listing(conn))
    for state in ("approved", "delayed", "rejected", "partially_signed", "signed", "exported"):
        paged = draft_views.page(conn, state=state)
        assert [r.id for r in paged] == [r.id for r in drafts.listing(conn)
                                         if r.state == state][::-1]


def test_a_draft_list_pages_and_says_each_draft_one_way(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "state.db")
    ids = [_draft(conn, n, signed_by="BA"[: n % 3]) for n in range(1, 6)]
    first = draft_views.draft_list(conn, draft_views.ALL, limit=2)
    assert [d.id for d in first.drafts] == ids[:2:-1] and first.more
    assert first.next_before == ids[3]
    before = drafts.get(conn, ids[3])
    assert before is not None
    rest = draft_views.draft_list(conn, draft_views.ALL, before_seq=before.imported_seq, limit=3)
    assert [d.id for d in rest.drafts] == ids[2::-1] and not rest.more
    assert rest.next_before is None
    two = next(d for d in first.drafts if d.id == ids[4])  # n = 5: signed by B, A
    assert (two.signers(), two.signed_by) == ("A,B", ["A", "B"])
    assert two.to_json() == {"id": ids[4], "chain": "bitcoin", "state": "partially_signed",
                             "verdict": "approve", "signatures": {"A": True, "B": True,
                                                                  "C": False},
                             "words": ["Send 5 BTC"]}
    assert next(d for d in rest.drafts if d.id == ids[2]).signers() == "-"  # n = 3
    only = draft_views.draft_list(conn, "partially_signed")
    assert {d.id for d in only.drafts} == {ids[0], ids[1], ids[3], ids[4]}
    with pytest.raises(ValueError, match="now"):
        draft_views.draft_list(conn, draft_views.NEEDS_ACTION)
