"""Signing approved drafts with holders' tokens: checks first, then one savepoint per draft.

A draft is signed only if a fresh screen approves it (or a quorum released its
delay); the first signature claims its outpoints or Safe nonce and enters the
velocity ledger in the same transaction as the signature, so limits and replay
protection hold across crashes and restarts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from signer.chains.bitcoin.signing import InputDigest
from signer.errors import AirsignError, Delayed, Rejected
from signer.hsm.token import TokenSession
from signer.risk import (
    BatchLedger,
    SqlLedger,
    Verdict,
    VerdictKind,
    WithInFlight,
    record_signed,
)
from signer.store import drafts, journal
from signer.store.db import transaction
from signer.store.drafts import DraftRow
from signer.usecases import logins
from signer.usecases.appliance import Appliance
from signer.usecases.decoding import DecodedDraft
from signer.usecases.draft_lookup import resolve
from signer.usecases.screening import (
    decode_stored,
    fresh_verdict,
    screen_decoded,
    store_verdict,
    verdict_json,
    write_verdict,
)
from signer.usecases.signatures import (
    Signed,
    bitcoin_digests,
    bitcoin_signed,
    safe_signed,
    sign_bitcoin,
    sign_safe,
)
from signer.usecases.wallet import RegisteredWallet, load_wallet

# Drafts at the tokens while this thread records one and screens the next.
_DEPTH = 2


@dataclass
class SigningReport:
    signed: list[dict[str, Any]]
    refused: list[dict[str, Any]]


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
    named: dict[str, tuple[str, DraftRow]] = {}  # by draft id: named twice, signed once
    with transaction(app.conn):  # the refusals found before any login, one commit
        for typed in typed_ids:
            try:
                row = resolve(app, typed)
            except AirsignError as error:
                report.refused.append(error.refusal(typed))
                continue
            named.setdefault(row.id, (typed, row))
        # Checked in order until one draft can be signed: nobody types a PIN for a batch
        # in which nothing can be. The others are checked at their turn, below.
        look_ahead = BatchLedger(app.conn)
        first = None
        queue = iter(named.values())
        while first is None and (item := next(queue, None)) is not None:
            first = _checked(app, item, names, wallet, look_ahead, report)
    if first is None:
        return report
    # One commit for the batch: a crash before it loses only signatures that never
    # left the appliance; each draft is a savepoint, so one failure stays alone.
    # The tokens sign on a thread of their own: PKCS#11's C_Sign and libsecp256k1 release
    # the GIL, so the token's work overlaps this thread's on the second core. Leaving the
    # pool waits for the signing under way: the sessions outlive it.
    with logins.holders_logged_in(app, names, read_pin) as sessions, \
            transaction(app.conn), \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="tokens") as tokens:
        # A pipeline _DEPTH drafts deep: while the tokens sign, this thread records the
        # drafts signed before and decodes and screens the next ones (see _prepare).
        ledger = BatchLedger(app.conn)
        at_tokens: deque[_Turn] = deque()
        unsigned: set[str] = set()  # drafts whose turn at the tokens stored nothing

        def settle(keep: int = 0) -> None:
            while len(at_tokens) > keep:
                turn = at_tokens.popleft()
                if not _record(app, turn, wallet, ledger, unsigned, report):
                    unsigned.add(turn.row.id)

        def checked_drafts() -> Iterator[tuple[DraftRow, DecodedDraft]]:
            yield first
            for item in queue:
                if item[1].chain == "ethereum":
                    settle()  # its nonce is judged against every nonce signed before it
                if (checked := _checked(app, item, names, wallet, None, report)) is not None:
                    yield checked

        for row, decoded in checked_drafts():
            try:
                try:
                    turn = _prepare(app, row, decoded, names, at_tokens, ledger, wallet)
                except _Unsettled:
                    # A refusal resting on drafts still at the tokens: settle them first,
                    # then judge again against the ledger as it stands.
                    settle()
                    turn = _prepare(app, row, decoded, names, at_tokens, ledger, wallet)
            except AirsignError as error:
                report.refused.append(error.refusal(row.id))
                continue
            turn.signing = tokens.submit(_sign_at_tokens, turn, sessions, wallet)
            at_tokens.append(turn)
            settle(keep=_DEPTH)
        settle()
    return report


def _checked(
    app: Appliance, named: tuple[str, DraftRow], holders: list[str], wallet: RegisteredWallet,
    look_ahead: BatchLedger | None, report: SigningReport,
) -> tuple[DraftRow, DecodedDraft] | None:
    """The draft decoded and checked, or None with its refusal reported under the id as
    typed. (A check writes only a refusing verdict, in a savepoint of its own.)"""
    typed, row = named
    try:
        return row, _check(app, row, holders, wallet, look_ahead)
    except AirsignError as error:
        report.refused.append(error.refusal(typed))
        return None


def _check(
    app: Appliance, row: DraftRow, holders: list[str], wallet: RegisteredWallet,
    look_ahead: BatchLedger | None,
) -> DecodedDraft:
    """Every reason not to sign, before any token is touched; with ``look_ahead``, a
    screen too (before the login: the decisive one in _prepare comes later)."""
    if row.abandoned:
        raise Rejected("abandoned", f"draft {row.id} was abandoned by a quorum: it is never "
                       "signed again (import a new draft)")
    if row.complete:
        raise Rejected("already_complete", f"draft {row.id} already carries the quorum of "
                       "signatures: it can never be signed again")
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
        blocking = [f for f in decoded.facts.findings if f[0] != "already_signed"]
        if blocking:
            raise Rejected(blocking[0][0], blocking[0][1])
        return decoded
    if look_ahead is not None:
        _require_approval(app, row, decoded, look_ahead)
    return decoded


def _require_breaker_closed(app: Appliance, decoded: DecodedDraft) -> None:
    # A quorum's Safe cancellation moves nothing and is the remedy while signing is halted
    # (screening.cancellation_verdict): its second signature is not halted either.
    if decoded.cancellation:
        return
    if SqlLedger(app.conn).breaker().tripped_at is not None:
        raise Rejected("circuit_breaker_open", "signing is halted: the circuit breaker "
                       "is open until two holders reset it")


def _require_approval(
    app: Appliance, row: DraftRow, decoded: DecodedDraft, ledger: BatchLedger
) -> None:
    """A look ahead, so that nobody types a PIN for a draft that cannot be signed: the
    verdict that counts is the one right before the first signature (_prepare); this one
    is stored and journaled only when it refuses."""
    verdict = screen_decoded(app, decoded, app.clock(), store_approval=False,
                             ledger=ledger)
    if verdict.kind is not VerdictKind.APPROVE:
        raise _refusal(row, verdict)


def _refusal(row: DraftRow, verdict: Verdict) -> AirsignError:
    reason = verdict.reasons[0]
    if verdict.kind is VerdictKind.DELAY:
        when = f" until {verdict.not_before:%Y-%m-%d %H:%M}Z" if verdict.not_before else ""
        return Delayed(reason.code, f"draft {row.id} is delayed{when}: {reason.message}")
    return Rejected(reason.code, f"draft {row.id} is rejected: {reason.message}")


@dataclass
class _Turn:
    """A draft at the tokens: everything decided before asking them."""

    row: DraftRow
    decoded: DecodedDraft
    holders: list[str]  # who signs, in order, until the quorum
    approval: Verdict | None  # the decisive screen of a first signature, not stored yet
    screened_at: datetime
    # Bitcoin: what each holder signs, computed here so the token thread only signs; and
    # the refusal of a holder after them, if any (theirs still stand).
    digests: list[tuple[str, list[InputDigest]]] = field(default_factory=list)
    refused_later: AirsignError | None = None
    # The first-signature drafts at the tokens when it was screened, counted as signed.
    assumed: tuple[str, ...] = ()
    signing: Future[Signed] | None = None


class _Unsettled(Exception):
    """_prepare would refuse a draft on the strength of drafts still at the tokens."""


def _prepare(
    app: Appliance, row: DraftRow, decoded: DecodedDraft, names: list[str],
    at_tokens: Sequence[_Turn], ledger: BatchLedger, wallet: RegisteredWallet,
) -> _Turn:
    """Every check right before the draft goes to the tokens; raises unless it may.

    ``row`` is current: each draft is in a batch once, and only its own turn changes it.
    The first-signature drafts still at the tokens count as signed, as they will be: their
    amounts and destinations in the velocity ledger, their outpoints or nonces claimed.
    An approval on that assumption is checked again when recorded, should one of them
    have failed; a refusal that rests on them raises _Unsettled instead (nothing stored).
    """
    holders = [holder for holder in names if holder not in row.signatures]
    if row.complete or not holders:
        raise Rejected("already_signed", f"holder {names[0]} has already signed draft {row.id}")
    turn = _Turn(row, decoded, holders, None, app.clock())
    unsettled = [t for t in at_tokens if not t.row.signatures]
    if not row.signatures:
        # Screened again at this point of the batch: the drafts signed before it in the
        # same run are in the velocity ledger now, so window limits hold inside a batch.
        verdict = fresh_verdict(app, decoded, turn.screened_at,
                                WithInFlight(ledger, [t.decoded.facts for t in unsettled]))
        if verdict.kind is not VerdictKind.APPROVE:
            if unsettled:
                raise _Unsettled
            store_verdict(app, decoded, verdict, turn.screened_at)
            raise _refusal(row, verdict)
        turn.approval, turn.assumed = verdict, tuple(t.row.id for t in unsettled)
    else:
        # Earlier drafts of this batch may have tripped the breaker since the check.
        _require_breaker_closed(app, decoded)
    try:
        # Refused before any token is asked: a draft claiming what another draft holds.
        conflict = drafts.claimed_by_other(app.conn, row.id, decoded.claims)
        if conflict is None and any(set(t.decoded.claims) & set(decoded.claims)
                                    for t in unsettled):
            raise _Unsettled
        if conflict is not None:
            raise Rejected("conflict", f"draft {row.id} spends what draft {conflict} already "
                           "signed (same outpoint or Safe nonce)")
        if row.chain == "bitcoin":
            turn.digests, turn.refused_later = bitcoin_digests(decoded, holders, wallet)
            if not turn.digests and turn.refused_later is not None:
                raise turn.refused_later
    except AirsignError:
        if turn.approval is not None:  # the verdict was given, whatever refused after it
            store_verdict(app, decoded, turn.approval, turn.screened_at)
        raise
    return turn


def _sign_at_tokens(
    turn: _Turn, sessions: dict[str, TokenSession], wallet: RegisteredWallet
) -> Signed:
    """Runs on the token thread: asks the tokens, never touches the state database."""
    if turn.row.chain != "bitcoin":
        return sign_safe(turn.row, turn.holders, sessions, wallet)
    return sign_bitcoin(turn.digests, turn.refused_later, sessions)


def _record(
    app: Appliance, turn: _Turn, wallet: RegisteredWallet, ledger: BatchLedger,
    unsigned: set[str], report: SigningReport,
) -> bool:
    """Store what the tokens made for ``turn``, in one savepoint with its journal entries;
    False when nothing was stored (the signatures made never leave the appliance)."""
    row, decoded = turn.row, turn.decoded
    assert turn.signing is not None
    try:
        signed = turn.signing.result()
        if turn.approval is not None and unsigned.intersection(turn.assumed):
            # Screened as if drafts then at the tokens would be signed, and one was not:
            # judged again against the ledger as it stands (every earlier draft settled).
            turn.screened_at = app.clock()
            turn.approval = fresh_verdict(app, decoded, turn.screened_at, ledger)
            if turn.approval.kind is not VerdictKind.APPROVE:
                verdict, turn.approval = turn.approval, None
                store_verdict(app, decoded, verdict, turn.screened_at)
                raise _refusal(row, verdict)
        if row.chain == "bitcoin":
            made, payload, final_tx, signed.failure = bitcoin_signed(decoded, signed, wallet)
        else:
            made, payload, final_tx = safe_signed(row, signed, wallet), None, None
        if not made:
            raise signed.failure or RuntimeError(f"draft {row.id}: no signature, no reason")
        # A cancellation moves nothing: it stays out of the velocity ledger (amounts, median).
        first = turn.approval is not None and not decoded.cancellation
        with transaction(app.conn):
            entry = None
            if turn.approval is not None:  # the verdict that let it go to the tokens
                entry = write_verdict(app, decoded, turn.approval, turn.screened_at,
                                      on_row=False)
                # The first signature claims (checked free in _prepare, the drafts then at
                # the tokens included); a later one finds them claimed already.
                drafts.add_claims(app.conn, row.id, decoded.claims)
            entries = []
            for signature in made:
                entry = journal.append(app.conn, "draft_signed", signature.holder,
                                       {"draft": row.id, "holder": signature.holder,
                                        "chain": row.chain, "complete": signature.complete,
                                        "signed_sha256": signature.record}, app.clock, entry)
                entries.append(entry)
            drafts.add_signatures(app.conn, row.id, [
                (signature.holder, signature.record, entry.seq)
                for signature, entry in zip(made, entries, strict=True)])
            drafts.set_signed(app.conn, row.id, payload, final_tx, made[-1].complete,
                              verdict_json(turn.approval) if turn.approval else None)
            if first:
                signed_at = app.clock()
                record_signed(app.conn, decoded.facts, signed_at)
    except AirsignError as error:
        if turn.approval is not None:  # given all the same: nothing was signed after it
            store_verdict(app, decoded, turn.approval, turn.screened_at)
        report.refused.append(error.refusal(row.id))
        return False
    if first:
        ledger.add(decoded.facts, signed_at)
    report.signed += [{"id": row.id, "holder": m.holder, "complete": m.complete}
                      for m in made]
    if signed.failure is not None:
        report.refused.append(signed.failure.refusal(row.id))
    return True
