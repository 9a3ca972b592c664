"""Signing approved drafts with holders' tokens: checks first, then one savepoint per signature.

A draft is signed only if a fresh screen approves it (or a quorum released its
delay); the first signature claims its outpoints or Safe nonce and enters the
velocity ledger in the same transaction as the signature, so limits and replay
protection hold across crashes and restarts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial
from typing import Any

from signer.chains.bitcoin.finalize import extract_transaction, finalize_in_place
from signer.chains.bitcoin.psbt_file import psbt_bytes
from signer.chains.bitcoin.signing import sign_reviewed
from signer.chains.ethereum import SafeOwner, parse_safe_tx_json, sign_safe_tx
from signer.chains.ethereum.settings import OWNER_PATH
from signer.errors import AirsignError, Delayed, Rejected
from signer.hsm.session import TokenSession
from signer.risk import SqlLedger, VerdictKind, record_signed
from signer.session import logins
from signer.session.appliance import Appliance
from signer.session.decoding import DecodedDraft
from signer.session.draft_lookup import resolve
from signer.session.screening import decode_stored, screen_decoded
from signer.session.wallet import RegisteredWallet, load_wallet
from signer.store import drafts, journal
from signer.store.db import transaction
from signer.store.drafts import DraftRow


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
    ready: list[tuple[DraftRow, DecodedDraft]] = []
    seen: set[str] = set()
    with transaction(app.conn):  # the fresh verdicts of the whole batch, one commit
        for typed in typed_ids:
            try:
                row = resolve(app, typed)
                if row.id in seen:
                    continue  # named twice: signed once
                seen.add(row.id)
                with transaction(app.conn):
                    ready.append((row, _check(app, row, names, wallet)))
            except AirsignError as error:
                report.refused.append(error.refusal(typed))
    if not ready:
        return report
    # One commit for the batch: a crash before it loses only signatures that never
    # left the appliance; each draft is a savepoint, so one failure stays alone.
    with logins.holders_logged_in(app, names, read_pin) as sessions, transaction(app.conn):
        for row, decoded in ready:
            try:
                made, failure = _sign(app, row, decoded, names, sessions, wallet)
            except AirsignError as error:
                report.refused.append(error.refusal(row.id))
                continue
            report.signed += [{"id": row.id, "holder": m.holder, "complete": m.complete}
                              for m in made]
            if failure is not None:
                report.refused.append(failure.refusal(row.id))
    return report


def _check(
    app: Appliance, row: DraftRow, holders: list[str], wallet: RegisteredWallet
) -> DecodedDraft:
    """Every reason not to sign, before any token is touched."""
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
        _require_breaker_closed(app)
        blocking = [f for f in decoded.facts.findings if f[0] != "already_signed"]
        if blocking:
            raise Rejected(blocking[0][0], blocking[0][1])
        return decoded
    # A look ahead, so that nobody types a PIN for a draft that cannot be signed: the
    # verdict that counts is the one right before the first signature (_sign).
    _require_approval(app, row, decoded, decisive=False)
    return decoded


def _require_breaker_closed(app: Appliance) -> None:
    if SqlLedger(app.conn).breaker().tripped_at is not None:
        raise Rejected("circuit_breaker_open", "signing is halted: the circuit breaker "
                       "is open until two holders reset it")


def _require_approval(
    app: Appliance, row: DraftRow, decoded: DecodedDraft, decisive: bool = True
) -> None:
    """A fresh verdict against the ledger as it stands now: raises unless approved."""
    verdict = screen_decoded(app, decoded, app.clock(), store_approval=decisive)
    if verdict.kind is VerdictKind.REJECT:
        reason = verdict.reasons[0]
        raise Rejected(reason.code, f"draft {row.id} is rejected: {reason.message}")
    if verdict.kind is VerdictKind.DELAY:
        reason = verdict.reasons[0]
        when = f" until {verdict.not_before:%Y-%m-%d %H:%M}Z" if verdict.not_before else ""
        raise Delayed(reason.code, f"draft {row.id} is delayed{when}: {reason.message}")


@dataclass(frozen=True)
class _Signature:
    holder: str
    record: str  # chain-specific: the signed PSBT's SHA-256, or the Safe signature (hex)
    complete: bool


def _sign(
    app: Appliance, row: DraftRow, decoded: DecodedDraft, names: list[str],
    sessions: dict[str, TokenSession], wallet: RegisteredWallet,
) -> tuple[list[_Signature], AirsignError | None]:
    """Every named holder who has not signed the draft yet, in order, until the quorum:
    one screen, one claim and one stored payload for the draft however many sign. A
    failed signature ends the draft's turn; the signatures made before it are kept."""
    current = drafts.get(app.conn, row.id) or row  # as it stands now, in this batch
    pending = [holder for holder in names if holder not in current.signatures]
    if current.complete or not pending:
        raise Rejected("already_signed", f"holder {names[0]} has already signed draft {row.id}")
    first = not current.signatures
    if first:
        # Screened again at this point of the batch: the drafts signed before it in the
        # same run are in the velocity ledger now, so window limits hold inside a batch.
        _require_approval(app, current, decoded)
    else:
        # Earlier drafts of this batch may have tripped the breaker since the check.
        _require_breaker_closed(app)
    with transaction(app.conn):
        # The claim comes before the token is asked: a conflicting draft is refused
        # without any signature being made.
        conflict = drafts.claim(app.conn, row.id, list(decoded.claims))
        if conflict is not None:
            raise Rejected("conflict", f"draft {row.id} spends what draft {conflict} already "
                           "signed (same outpoint or Safe nonce)")
        if row.chain == "bitcoin":
            made, failure, payload = _sign_bitcoin(app, decoded, pending, sessions, wallet)
        else:
            made, failure = _sign_safe(row, pending, sessions, wallet, len(current.signatures))
            payload = None
        if not made and failure is not None:
            raise failure
        for signature in made:
            entry = journal.append(app.conn, "draft_signed", signature.holder,
                                   {"draft": row.id, "holder": signature.holder,
                                    "chain": row.chain, "complete": signature.complete,
                                    "signed_sha256": signature.record}, app.clock)
            drafts.add_signature(app.conn, row.id, signature.holder, signature.record, entry.seq)
        if payload is not None:
            drafts.set_payload(app.conn, row.id, payload)
        if first:
            record_signed(app.conn, decoded.facts, app.clock())
        if made[-1].complete:
            drafts.mark(app.conn, row.id, "complete")
    return made, failure


def _sign_bitcoin(
    app: Appliance, decoded: DecodedDraft, holders: list[str],
    sessions: dict[str, TokenSession], wallet: RegisteredWallet,
) -> tuple[list[_Signature], AirsignError | None, bytes | None]:
    """Each holder signs every input; complete when every input has the quorum (signatures
    made elsewhere and combined at import count too), proven by finalizing, and then the
    network transaction is kept for export."""
    # The PSBT _check parsed from this row's payload and reviewed, a private copy: it is
    # signed exactly as checked (sign_reviewed refuses on the review's findings again).
    psbt, view = decoded.psbt, decoded.view
    if psbt is None or view is None:
        raise RuntimeError(f"draft {decoded.id}: decoded without its PSBT and review")
    made: list[_Signature] = []
    payload = None
    for holder in holders:
        try:
            # All of a holder's signatures or none: a failure leaves the PSBT untouched.
            sign_reviewed(psbt, view, wallet.bitcoin, holder, sessions[holder].sign_digest)
        except AirsignError as error:
            return made, error, payload
        payload = psbt_bytes(psbt)
        # sign_reviewed accepted only our wallet's keys; signatures combined from elsewhere
        # count too, and finalizing verifies every one it uses.
        complete = all(len(inp.partial_sigs) >= wallet.threshold for inp in psbt.inputs)
        made.append(_Signature(holder, hashlib.sha256(payload).hexdigest(), complete))
        if complete:
            finalize_in_place(psbt)  # the payload is already serialised: the copy is spent
            drafts.set_final_tx(app.conn, decoded.id, extract_transaction(psbt).hex)
            break
    return made, None, payload


def _sign_safe(
    row: DraftRow, holders: list[str], sessions: dict[str, TokenSession],
    wallet: RegisteredWallet, already: int,
) -> tuple[list[_Signature], AirsignError | None]:
    tx = parse_safe_tx_json(row.payload, f"draft {row.id}")
    made: list[_Signature] = []
    for holder in holders:
        session = sessions[holder]
        try:
            owner_key = next((k for k in session.keys().values() if k.label == OWNER_PATH), None)
            if owner_key is None:
                raise Rejected("owner_key_absent",
                               f"token {session.label!r} holds no Ethereum owner key")
            owner = SafeOwner(holder, wallet.holder(holder).owner,
                              partial(session.sign_digest, owner_key.key_id))
            signature = sign_safe_tx(tx, [owner]).signatures[0].signature.hex()
        except AirsignError as error:
            return made, error
        complete = already + len(made) + 1 >= wallet.threshold
        made.append(_Signature(holder, signature, complete))
        if complete:
            break
    return made, None
