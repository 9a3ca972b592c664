"""Drafts in words: states, reasons, raw fields and what makes a draft unusual (no widgets)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from signer.risk import Policy
from signer.store import drafts
from signer.store.drafts import DraftRow
from signer.tui.widgets import plain
from signer.usecases.appliance import Appliance
from signer.usecases.describe import describe, headline, printable
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


def state_word(row: DraftRow) -> str:
    return STATE_WORDS.get(row.state, row.state.upper())


def first_words(row: DraftRow, width: int = 60) -> str:
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



def reason_lines(row: DraftRow) -> list[str]:
    return [f"[!] {r['code']}: {plain(printable(r['message']))}" for r in row.reasons] or [
        "(no findings)"]


def amount_and_asset(row: DraftRow) -> tuple[Decimal, str] | None:
    """What the draft sends, as decoded by the appliance (summary), if it is a transfer."""
    try:
        if row.chain == "bitcoin":
            return Decimal(str(row.summary.get("sent"))), "BTC"
        calls = row.summary.get("decoded", {}).get("calls", [])
        if len(calls) == 1 and calls[0].get("amount") is not None and calls[0].get("asset"):
            return Decimal(str(calls[0]["amount"])), str(calls[0]["asset"])
    except (InvalidOperation, AttributeError, TypeError):
        return None
    return None


def unusual(row: DraftRow, policy: Policy | None) -> list[str]:
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


def raw_lines(row: DraftRow) -> list[str]:
    """The decoded fields exactly as the appliance parsed them."""
    summary = row.summary
    if row.chain == "bitcoin":
        lines = [f"input  {i['outpoint']}  {i['amount'] or 'UNKNOWN'} BTC  signed by "
                 f"{','.join(i.get('signed_by') or []) or '-'}" for i in summary.get("inputs", [])]
        lines += [f"output {o['kind']:<8} {o['amount']} BTC  {o['address']}"
                  + (f"  ({o['path']})" if o.get("path") else "")
                  for o in summary.get("outputs", [])]
        lines.append(f"fee {summary.get('fee') or 'UNKNOWN'} BTC  vsize {summary.get('vsize')}  "
                     f"locktime {summary.get('locktime')}  rbf {summary.get('rbf')}")
        return lines
    fields: dict[str, Any] = summary.get("safe_tx", {})
    lines = [f"{name:<15} {value}" for name, value in fields.items() if name != "safeTxHash"]
    lines.append(f"{'safeTxHash':<15} {summary.get('safeTxHash')} (recomputed here)")
    return lines


def countdown(not_before: datetime | None, now: datetime) -> str:
    """Time left on a hold, by the appliance clock."""
    if not_before is None:
        return "waits for a quorum release (no time limit)"
    left = int((not_before - now).total_seconds())
    if left <= 0:
        return "time has passed: a clean re-screen at signing releases it"
    hours, rest = divmod(left, 3600)
    return f"releases in {hours}h {rest // 60:02d}m"
