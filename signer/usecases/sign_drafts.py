"""Signing approved drafts with the holders' tokens: one straight loop, one draft at a time.

For each draft, in the order given: check it (state, decoding, structure), screen it
against the ledger as it stands, plan what each holder's token signs, hand the plan to the
tokens, and record what they made (verified by the draft's kind) in a savepoint with its
journal entries. The first signature claims the draft's outpoints or nonce and enters the
velocity ledger in the same savepoint, so limits and replay protection hold across
crashes and restarts.

The tokens sign on their own threads (token_desk.py) while this loop records the draft
before and checks the next. A draft screened while others are still at the tokens counts
their amounts against its windows (as if they were signed), but never their destinations
or amounts as history in its favour; and no draft is refused while others are at the
tokens: they are recorded first and the draft is checked again. So an approval holds
whatever the tokens then do, and a refusal rests only on what is recorded. Nothing is
screened after it was signed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from signer.chains import kinds
from signer.chains.kind import Decoded, DraftKind, Plan
from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import AirsignError, Delayed, Rejected
from signer.risk import SqlLedger, Verdict, VerdictKind, record_signed
from signer.store import drafts, journal
from signer.store.db import transaction
from signer.store.draft_state import Action, refusal
from signer.store.drafts import Draft
from signer.usecases import logins
from signer.usecases.appliance import Appliance
from signer.usecases.draft_lookup import resolve, stored_draft
from signer.usecases.results import Refused, SignedBy
from signer.usecases.screening import (
    decode_stored,
    fresh_verdict,
    store_verdict,
    verdict_json,
    write_verdict,
)
from signer.usecases.token_desk import AtTokens, TokenDesk
from signer.usecases.wallet import load_wallet


@dataclass
class SigningReport:
    signed: list[SignedBy]
    refused: list[Refused]


@dataclass
class _Turn:
    """A draft on its way to the tokens: everything decided before asking them."""

    row: Draft
    decoded: Decoded
    kind: DraftKind
    plan: Plan
    approval: Verdict | None  # the screen right before a first signature (stored on record)
    screened_at: datetime

    @property
    def first(self) -> bool:
        return self.approval is not None


def sign_drafts(
    app: Appliance, typed_ids: list[str], holders: list[str], read_pin: logins.PinReader
) -> SigningReport:
    """Sign each draft with every named holder that has not signed it yet, in the order
    given, until it carries the quorum: one decode and check per draft however many sign."""
    wallet = load_wallet(app)
    names = list(dict.fromkeys(h.upper() for h in holders))  # named twice: asked once
    for holder in names:
        wallet.holder(holder)
    report = SigningReport([], [])
    queue: deque[tuple[str, Draft]] = deque()
    seen: set[str] = set()
    with transaction(app.conn):  # the refusals found before any login, one commit
        for typed in typed_ids:
            try:
                row = resolve(app, typed)
            except AirsignError as error:
                report.refused.append(Refused.of(error, typed))
                continue
            if row.id not in seen:  # named twice: signed once
                seen.add(row.id)
                queue.append((typed, row))
        # Checked in order until one draft can be signed (screened too, as a look ahead):
        # nobody types a PIN for a batch in which nothing can be.
        first = None
        while first is None and queue:
            first = _checked(app, *queue.popleft(), names, wallet, report, look_ahead=True)
    if first is None:
        return report
    # One commit for the batch: a crash before it loses only signatures that never left
    # the appliance; each draft is a savepoint, so one failure stays alone.
    with logins.holders_logged_in(app, names, read_pin) as tokens, transaction(app.conn), \
            TokenDesk[_Turn](tokens) as desk:
        checked: tuple[Draft, Decoded] | None = first
        while checked is not None:
            turn = _turn(app, *checked, names, wallet, desk, report)
            if turn is not None:
                desk.submit(turn, turn.plan, partial(turn.kind.sign, wallet=wallet))
            for done in desk.finished():
                _record(app, done, wallet, report)
            checked = None
            while checked is None and queue:
                checked = _checked(app, *queue.popleft(), names, wallet, report)
        for done in desk.finished(keep=0):
            _record(app, done, wallet, report)
    return report


def _checked(
    app: Appliance, typed: str, row: Draft, holders: list[str], wallet: RegisteredWallet,
    report: SigningReport, look_ahead: bool = False,
) -> tuple[Draft, Decoded] | None:
    """The draft decoded and checked, or None with its refusal reported under the id as
    typed. ``look_ahead``: screened too, before the login (the decisive screen is the one
    right before the tokens); only a refusal is stored."""
    try:
        decoded = _check(app, row, holders, wallet)
        if look_ahead and not row.signatures:
            verdict = fresh_verdict(app, decoded, app.clock())
            if verdict.kind is not VerdictKind.APPROVE:
                store_verdict(app, decoded, verdict, app.clock())
                raise _refusal(row, verdict)
    except AirsignError as error:
        report.refused.append(Refused.of(error, typed))
        return None
    return row, decoded


def _check(
    app: Appliance, row: Draft, holders: list[str], wallet: RegisteredWallet
) -> Decoded:
    """Every reason not to sign that needs no screen, before any token is touched."""
    if row.abandoned or row.complete:  # the states no signature leaves (the state machine)
        refused = refusal(row, Action.SIGN)
        assert refused is not None
        raise refused.error()
    if all(holder in row.signatures for holder in holders):
        who = (f"holder {holders[0]} has" if len(holders) == 1
               else f"holders {', '.join(holders)} have")
        raise Rejected("already_signed", f"{who} already signed draft {row.id}")
    decoded = decode_stored(app, row, wallet)
    if row.signatures:
        # Already counted in the ledger at the first signature: re-running the velocity
        # rules would count it twice. A later signature needs the breaker closed and
        # the structural checks still clean.
        _require_breaker_closed(app, decoded)
        blocking = [f for f in decoded.facts.findings if f.code != "already_signed"]
        if blocking:
            raise Rejected(blocking[0].code, blocking[0].message)
    return decoded


def _require_breaker_closed(app: Appliance, decoded: Decoded) -> None:
    # What moves nothing (a quorum's Safe cancellation is the remedy while signing is
    # halted) is not halted either.
    if decoded.moves_funds and SqlLedger(app.conn).breaker().tripped_at is not None:
        raise Rejected("circuit_breaker_open", "signing is halted: the circuit breaker "
                       "is open until two holders reset it")


def _refusal(row: Draft, verdict: Verdict) -> AirsignError:
    reason = verdict.reasons[0]
    if verdict.kind is VerdictKind.DELAY:
        when = f" until {verdict.not_before:%Y-%m-%d %H:%M}Z" if verdict.not_before else ""
        return Delayed(reason.code, f"draft {row.id} is delayed{when}: {reason.message}")
    return Rejected(reason.code, f"draft {row.id} is rejected: {reason.message}")


def _turn(
    app: Appliance, row: Draft, decoded: Decoded, names: list[str],
    wallet: RegisteredWallet, desk: TokenDesk[_Turn], report: SigningReport,
) -> _Turn | None:
    """The draft judged right before the tokens, or None with its refusal reported. A
    refusal is never given while drafts are at the tokens: they are recorded first, and
    the draft decoded and judged again against the ledger as it then stands."""
    turn = _judged(app, row, decoded, names, wallet, desk.waiting())
    if isinstance(turn, AirsignError) and desk.waiting():
        for done in desk.finished(keep=0):
            _record(app, done, wallet, report)
        try:
            decoded = _check(app, row, names, wallet)
        except AirsignError as error:
            turn = error
        else:
            turn = _judged(app, row, decoded, names, wallet, [])
    if isinstance(turn, AirsignError):
        report.refused.append(Refused.of(turn, row.id))
        return None
    return turn


def _judged(
    app: Appliance, row: Draft, decoded: Decoded, names: list[str],
    wallet: RegisteredWallet, at_tokens: list[_Turn],
) -> _Turn | AirsignError:
    """Screen (first signature), claims and plan; a refusal is returned, and stored only
    when nothing is at the tokens (it then rests on recorded drafts alone)."""
    holders = [holder for holder in names if holder not in row.signatures]
    kind = kinds.kind(row.chain)
    now = app.clock()
    approval = None
    if not row.signatures:
        pending = [t.decoded.facts for t in at_tokens if t.first and t.decoded.moves_funds]
        verdict = fresh_verdict(app, decoded, now, SqlLedger(app.conn, pending))
        if verdict.kind is not VerdictKind.APPROVE:
            if not at_tokens:
                store_verdict(app, decoded, verdict, now)
            return _refusal(row, verdict)
        approval = verdict
    else:
        try:  # earlier drafts of this batch may have tripped the breaker since the check
            _require_breaker_closed(app, decoded)
        except AirsignError as error:
            return error
    claimed = {c for t in at_tokens for c in t.decoded.claims}
    conflict = drafts.claimed_by_other(app.conn, row.id, decoded.claims)
    refusal: AirsignError | None = None
    if conflict is not None or claimed & set(decoded.claims):
        refusal = Rejected("conflict", f"draft {row.id} spends what draft "
                           f"{conflict or 'at the tokens'} already signed (same outpoint "
                           "or Safe nonce)")
        plan = Plan(())
    else:
        plan = kind.plan(decoded, holders, stored_draft(row), wallet)
        if not plan.steps:
            refusal = plan.refused_later or Rejected(
                "already_signed", f"holder {names[0]} has already signed draft {row.id}")
    if refusal is not None:
        if approval is not None and not at_tokens:  # given, whatever refused after it
            store_verdict(app, decoded, approval, now)
        return refusal
    return _Turn(row, decoded, kind, plan, approval, now)


def _record(
    app: Appliance, done: AtTokens[_Turn], wallet: RegisteredWallet, report: SigningReport,
) -> None:
    """Store what the tokens made for one draft, verified by its kind, in one savepoint
    with its journal entries; nothing when no signature verified."""
    turn = done.turn
    row, decoded = turn.row, turn.decoded
    made, failure = done.results()
    failure = failure or turn.plan.refused_later
    attached = turn.kind.attach(decoded, stored_draft(row), made, failure, wallet)
    if not attached.made:
        if turn.approval is not None:  # given all the same: nothing was signed after it
            store_verdict(app, decoded, turn.approval, turn.screened_at)
        error = attached.failure or RuntimeError(f"draft {row.id}: no signature, no reason")
        if not isinstance(error, AirsignError):
            raise error
        report.refused.append(Refused.of(error, row.id))
        return
    counted = turn.first and decoded.moves_funds
    with transaction(app.conn):
        entry = None
        if turn.approval is not None:  # the verdict that let it go to the tokens
            entry = write_verdict(app, decoded, turn.approval, turn.screened_at, on_row=False)
            # The first signature claims (checked free before the tokens); a later one
            # finds them claimed already.
            drafts.add_claims(app.conn, row.id, decoded.claims)
        entries = []
        for signature in attached.made:
            entry = journal.append(app.conn, "draft_signed", signature.holder,
                                   {"draft": row.id, "holder": signature.holder,
                                    "chain": row.chain, "complete": signature.complete,
                                    "signed_sha256": signature.record}, app.clock, entry)
            entries.append(entry)
        drafts.add_signatures(app.conn, row.id, [
            (signature.holder, signature.record, entry.seq)
            for signature, entry in zip(attached.made, entries, strict=True)])
        drafts.set_signed(app.conn, row.id, attached.payload, attached.final,
                          attached.made[-1].complete,
                          verdict_json(turn.approval) if turn.approval else None)
        if counted:  # the next screen in this transaction counts it
            record_signed(app.conn, decoded.facts, app.clock())
    report.signed += [SignedBy(row.id, m.holder, m.complete) for m in attached.made]
    if attached.failure is not None:
        report.refused.append(Refused.of(attached.failure, row.id))
