"""Quorum overrides: releasing a delayed draft early, resetting the circuit breaker."""

from __future__ import annotations

from signer.errors import BadInput
from signer.risk import release_hold, reset_breaker
from signer.store import drafts, journal
from signer.store.db import transaction
from signer.store.draft_state import Action, refusal
from signer.usecases import logins
from signer.usecases.appliance import Appliance
from signer.usecases.draft_lookup import resolve


def _reason(reason: str) -> str:
    if not reason.strip():
        raise BadInput("reason_missing", "--reason: a written reason is required")
    return reason.strip()


def release(
    app: Appliance, draft: str, holders: str, reason: str, read_pin: logins.PinReader
) -> str:
    """Two distinct holders release a delayed draft before its time (journaled with the reason)."""
    written = _reason(reason)
    row = resolve(app, draft)
    refused = refusal(row, Action.RELEASE)
    if refused is not None:
        raise refused.error()
    quorum = logins.distinct_holders(holders, 2)
    with logins.holders_logged_in(app, quorum, read_pin), transaction(app.conn):
        release_hold(app.conn, row.id, ",".join(quorum), written, app.clock())
        drafts.mark(app.conn, row.id, "released")
        journal.append(app.conn, "draft_released", ",".join(quorum),
                       {"draft": row.id, "by": quorum, "reason": written}, app.clock)
    return row.id


def reset_circuit_breaker(
    app: Appliance, holders: str, reason: str, read_pin: logins.PinReader
) -> None:
    written = _reason(reason)
    quorum = logins.distinct_holders(holders, 2)
    with logins.holders_logged_in(app, quorum, read_pin), transaction(app.conn):
        reset_breaker(app.conn, ",".join(quorum), written, app.clock())
        journal.append(app.conn, "breaker_reset", ",".join(quorum),
                       {"by": quorum, "reason": written}, app.clock)
