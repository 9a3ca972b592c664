"""Drafts in words: states, reasons, raw fields and what makes a draft unusual (no widgets)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from signer.chains import kinds
from signer.chains.words import printable
from signer.risk import Policy
from signer.store import drafts
from signer.store.drafts import Draft
from signer.tui.widgets import plain
from signer.usecases.appliance import Appliance
from signer.usecases.describe import describe, headline
from signer.usecases.draft_lookup import stored_draft
from signer.usecases.known_addresses import known_addresses

STATE_WORDS = {
    "approved": "APPROVED",
    "delayed": "[!] DELAYED",
    "rejected": "[!] REJECTED",
    "partially_signed": "PARTIALLY SIGNED",
    "signed": "SIGNED",
    "exported": "EXPORTED",
}
QUEUE_ORDER = ("approved", "delayed", "rejected", "partially_signed", "signed", "exported")
# Above this share of the per-draft limit the operator types a confirmation.
LARGE_SHARE = Decimal("0.5")


def state_word(row: Draft) -> str:
    return STATE_WORDS.get(row.state, row.state.upper())


def first_words(row: Draft, width: int = 60) -> str:
    """The draft's headline (every output or call) cut to a table cell; the review screen
    and `airsign show` give it in full."""
    text = headline(row)
    return text if len(text) <= width else text[: width - 1] + "…"


def detail(appliance: Appliance, draft_id: str) -> str:
    """What a table's highlighted draft does, in full (the table cell is cut to fit), with
    any look-alike warning first; escaped for Textual markup."""
    row = drafts.get(appliance.conn, draft_id)
    if row is None:
        return ""
    lines = describe(row, known_addresses(appliance)).what_it_does()
    reasons = reason_lines(row) if row.reasons else []
    return "\n".join([*(plain(line) for line in [f"Draft {row.id} {state_word(row)}:", *lines]),
                      *reasons])



def reason_lines(row: Draft) -> list[str]:
    return [f"[!] {r['code']}: {plain(printable(r['message']))}" for r in row.reasons] or [
        "(no findings)"]


def amount_and_asset(row: Draft) -> tuple[Decimal, str] | None:
    """What the draft sends, as decoded by the appliance (summary), if it is a transfer."""
    return kinds.kind(row.chain).describe(stored_draft(row), full=False).sends


def unusual(row: Draft, policy: Policy | None) -> list[str]:
    """Why this draft needs a typed confirmation before it is marked for signing."""
    why = []
    if row.released:
        why.append("its delay was released early by a quorum override")
    why += [f"finding {r['code']}: {r['message']}" for r in row.reasons]
    sent = amount_and_asset(row)
    asset = policy.document.assets.get(sent[1]) if policy and sent else None
    if sent and asset and sent[0] > asset.max_per_draft * LARGE_SHARE:
        why.append(f"sends {sent[0]} {sent[1]}: more than half the per-draft limit "
                   f"({asset.max_per_draft} {sent[1]})")
    return why


def raw_lines(row: Draft) -> list[str]:
    """The decoded fields exactly as the appliance parsed them."""
    return list(kinds.kind(row.chain).describe(stored_draft(row)).raw)


def countdown(not_before: datetime | None, now: datetime) -> str:
    """Time left on a hold, by the appliance clock."""
    if not_before is None:
        return "waits for a quorum release (no time limit)"
    left = int((not_before - now).total_seconds())
    if left <= 0:
        return "time has passed: a clean re-screen at signing releases it"
    hours, rest = divmod(left, 3600)
    return f"releases in {hours}h {rest // 60:02d}m"
