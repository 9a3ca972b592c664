"""A Bitcoin draft (a PSBT) through intake, review, re-import and export.

The PSBT is read strictly (psbt_file.read_psbt), reviewed against the registered wallet
(review.py) and its facts handed to the risk rules; nothing the online side says about it
is taken on trust. Signing is in draft_signing.py.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from signer.chains.bitcoin.finalize import extract_transaction, finalize_in_place
from signer.chains.bitcoin.partial_sigs import (
    new_signatures,
    unsigned_difference,
    verify_partial_signatures,
)
from signer.chains.bitcoin.psbt_file import Psbt, psbt_bytes, read_psbt
from signer.chains.bitcoin.review import DraftView, review_draft
from signer.chains.bitcoin.settings import Settings
from signer.chains.bitcoin.signing import add_signatures
from signer.chains.bitcoin.wire import transaction_bytes
from signer.chains.facts import DraftFacts
from signer.chains.kind import Artifacts, DecodeContext, Decoded, Merged, StoredDraft, draft_id
from signer.errors import BadInput

NAME = "bitcoin"
SATS = Decimal(10**8)


@dataclass(frozen=True)
class Reviewed:
    """The PSBT parsed from a draft's payload and its review: signed exactly as checked."""

    psbt: Psbt
    view: DraftView


def btc(sats: int | None) -> str | None:
    return None if sats is None else format(Decimal(sats) / SATS, "f")


def settings(context: DecodeContext) -> Settings:
    """The appliance's trust in witness-only inputs and the policy's [bitcoin] rules; the
    key pool is the registered wallet's."""
    height = getattr(context.rules, "max_locktime_height", None)
    return Settings(allow_witness_only=context.witness_only_inputs, max_locktime_height=height,
                    receive_keys=context.wallet.receive_keys,
                    change_keys=context.wallet.change_keys)


def decode(payload: bytes, source: str, context: DecodeContext) -> Decoded:
    psbt = context.parsed if isinstance(context.parsed, Psbt) else read_psbt(
        payload, source, settings(context))
    view = review_draft(psbt, context.wallet.bitcoin, settings(context))
    if context.at_import and not context.stored:
        # Signatures it arrives with are proven before the draft is stored or merged.
        verify_partial_signatures(psbt, view, source)
    identifier = draft_id(NAME, transaction_bytes(psbt.tx))
    external = [o for o in view.outputs if o.kind == "EXTERNAL"]
    fee = view.fee if view.fee is not None and view.fee >= 0 else None
    rate = view.fee_rate if fee is not None else None
    facts = DraftFacts(
        draft_id=identifier, chain=NAME, asset="BTC",
        amount=Decimal(view.sent) / SATS,
        destinations=tuple(o.address for o in external),
        # A negative fee (outputs above inputs) is no fee: the structural finding
        # outputs_exceed_inputs rejects the draft, and the fee rules have nothing to judge.
        fee=Decimal(fee) / SATS if fee is not None else None,
        fee_rate=Decimal(str(round(rate, 3))) if rate is not None else None,
        findings=view.findings,
    )
    claims = tuple(f"btc:{line.outpoint}" for line in view.inputs)
    stored = payload if context.stored else psbt_bytes(psbt)
    return Decoded(identifier, NAME, stored, summary(view), facts, claims,
                   parsed=Reviewed(psbt, view))


def summary(view: DraftView) -> dict[str, Any]:
    words = [f"Send {btc(o.amount)} BTC to {o.address}" for o in view.outputs
             if o.kind == "EXTERNAL"]
    words += [f"Change {btc(o.amount)} BTC back to our {o.path} (verified)" for o in view.outputs
              if o.kind != "EXTERNAL"]
    rate = f"{view.fee_rate:.1f} sat/vB" if view.fee_rate is not None else "unknown rate"
    words.append(f"Fee {btc(view.fee) or 'UNKNOWN'} BTC ({rate}, ~{view.vsize} vB)")
    if view.timelock is not None:
        words.append(view.timelock)
    return {
        "words": words,
        "inputs": [{"outpoint": i.outpoint, "amount": btc(i.amount), "paths": i.paths,
                    "signed_by": list(i.signed_by)} for i in view.inputs],
        "outputs": [{"address": o.address, "amount": btc(o.amount), "kind": o.kind,
                     "path": o.path} for o in view.outputs],
        "total_in": btc(view.total_in), "total_out": btc(view.total_out),
        "sent": btc(view.sent), "fee": btc(view.fee),
        "fee_rate": view.fee_rate, "vsize": view.vsize, "locktime": view.locktime,
        "rbf": view.rbf, "version": view.version, "sequences": list(view.sequences),
    }


def merge(stored: StoredDraft, decoded: Decoded, source: str) -> Merged | None:
    """The proven signatures a re-import adds to the stored PSBT; anything else that
    differs is refused by the caller as a payload conflict (ValueError says what)."""
    mine = read_psbt(stored.payload, f"draft {stored.id}")
    theirs = decoded.parsed.psbt if isinstance(decoded.parsed, Reviewed) else read_psbt(
        decoded.payload, source)
    difference = unsigned_difference(mine, theirs)
    if difference is not None:
        raise ValueError(difference)
    added = new_signatures(mine, theirs)
    if not added or stored.complete:
        return None
    add_signatures(mine, added)
    merged = psbt_bytes(mine)
    return Merged(merged, {"signatures": [{"input": index, "key": key.hex()}
                                          for index, key, _ in added],
                           "payload_sha256": hashlib.sha256(merged).hexdigest()})


def artifacts(stored: StoredDraft) -> Artifacts:
    files = {
        f"{stored.id}.psbt": stored.payload,
        f"{stored.id}.psbt.txt": base64.b64encode(stored.payload) + b"\n",
    }
    if stored.complete:
        files[f"{stored.id}.tx.hex"] = ((stored.final or _finalized(stored)) + "\n").encode()
    return Artifacts(files, stored.payload, "crypto-psbt")


def _finalized(stored: StoredDraft) -> str:
    """A draft completed by an airsign older than the stored final transaction."""
    final = read_psbt(stored.payload, f"draft {stored.id}")  # a fresh parse: ours to finalize
    finalize_in_place(final)
    return extract_transaction(final).hex


def no_cancellation(stored: StoredDraft) -> BadInput:
    return BadInput("not_a_safe_draft", f"draft {stored.id} is a Bitcoin draft: abandon it "
                    "('airsign abandon'); its coins are then free for a new draft")

