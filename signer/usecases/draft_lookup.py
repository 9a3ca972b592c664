"""Finding a draft by the id (or unambiguous prefix) an operator types."""

from __future__ import annotations

import re

from signer.chains.kind import ID_HEX, StoredDraft
from signer.errors import BadInput
from signer.store import drafts
from signer.store.drafts import Draft
from signer.usecases.appliance import Appliance

_ID = re.compile(rf"^[0-9a-f]{{4,{ID_HEX}}}$")


def resolve(app: Appliance, typed: str) -> Draft:
    text = typed.strip().lower()
    if not _ID.match(text):
        raise BadInput("bad_draft_id", f"draft id {typed!r}: expected 4 to 16 hex digits")
    exact = drafts.get(app.conn, text) if len(text) == ID_HEX else None
    # A whole id is one primary-key lookup; only a typed prefix needs the range search.
    found = [exact] if exact is not None else drafts.find(app.conn, text)
    if not found:
        raise BadInput("unknown_draft", f"no draft {typed!r}: see 'airsign drafts'")
    if len(found) > 1:
        raise BadInput("ambiguous_draft", f"draft id {typed!r} matches "
                       f"{', '.join(r.id for r in found)}: type more digits")
    return found[0]


def stored_draft(row: Draft) -> StoredDraft:
    """The part of a stored draft its kind reads."""
    return StoredDraft(row.id, row.payload, row.summary, row.signatures, row.complete,
                       row.final_tx)
