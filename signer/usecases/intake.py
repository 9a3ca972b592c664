"""`import`: files and QR images in, decoded and screened drafts out; every step journaled."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from signer.chains import kinds
from signer.chains.kind import Decoded
from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import AirsignError, Exit, Rejected
from signer.risk import Ledger, SqlLedger, Verdict, record_imported
from signer.store import drafts, journal, registry
from signer.store.db import transaction
from signer.transport.incoming import IncomingDraft, RefusedInput
from signer.transport.intake import Limits, PayloadChecks, scan
from signer.usecases.appliance import Appliance
from signer.usecases.decoding import context, decode
from signer.usecases.merging import merge_known
from signer.usecases.policy import active_policy
from signer.usecases.screening import (
    decode_stored,
    fresh_verdict,
    verdict_json,
    write_verdict,
)
from signer.usecases.wallet import load_wallet


@dataclass
class ImportReport:
    drafts: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    refusal_exits: list[Exit] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"drafts": self.drafts, "refused": self.refused}


def import_paths(app: Appliance, paths: list[Path]) -> ImportReport:
    wallet = load_wallet(app)
    settings = app.home.config.settings
    limits = Limits(max_file_bytes=settings.max_import_bytes, max_files=settings.max_import_files)
    # The scan parses every payload to judge it; decoding reuses that parse (same bytes)
    # instead of reading the same draft twice.
    parsed: dict[bytes, object] = {}

    def check(kind: str, data: bytes, source: str) -> object:
        parsed[data] = kinds.kind(kind).check_payload(data, source)
        return parsed[data]

    checks = PayloadChecks(kinds.every(), check)
    found = scan(paths, registry.vault_keys(app.conn), limits, checks)
    report = ImportReport()
    # One commit for the whole batch; each draft is its own savepoint inside it.
    with transaction(app.conn):
        ledger = SqlLedger(app.conn)
        for refused in found.refused:
            _refuse(app, report, refused, Exit.BAD_INPUT)
        for incoming in found.drafts:
            try:
                with transaction(app.conn):
                    report.drafts.append(import_one(app, incoming, wallet,
                                                    parsed.pop(incoming.payload, None), ledger))
            except AirsignError as error:
                refusal = RefusedInput(incoming.source, error.code, error.message,
                                       incoming.source_sha256 or None)
                _refuse(app, report, refusal, error.exit)
    return report


def _refuse(app: Appliance, report: ImportReport, refused: RefusedInput, exit: Exit) -> None:
    app.record("import_refused", "operator", {"source": refused.source, "code": refused.code,
                                              "sha256": refused.sha256})
    report.refused.append({"file": refused.source, "code": refused.code,
                           "message": refused.message})
    report.refusal_exits.append(exit)


def import_one(
    app: Appliance, incoming: IncomingDraft, wallet: RegisteredWallet, parsed: object = None,
    ledger: Ledger | None = None,
) -> dict[str, Any]:
    """Decode, store (once) and screen one incoming draft (``parsed``: its PSBT, read already),
    inside the transaction the caller holds for it."""
    policy = active_policy(app)
    if incoming.envelope is None and not (policy and policy.document.accept_plain_drafts):
        raise Rejected("plain_draft_refused", f"{incoming.source}: a plain draft (no vault "
                       "envelope); the applied policy does not accept plain drafts")
    # Signatures it arrives with are proven (by its kind) before it is stored or merged.
    decoded = decode(incoming, wallet, context(app, incoming.chain, wallet, at_import=True,
                                               parsed=parsed))
    existing = drafts.get(app.conn, decoded.id)
    now = app.clock()
    verdict = None
    if existing is None:
        verdict = _store(app, incoming, decoded, ledger, now)
    else:
        merge_known(app, existing, incoming, decoded)
        # Judged on what is stored (the stored envelope, the merged signatures), never on
        # the file just read; a draft our holders signed keeps the verdict they signed on.
        # An abandoned draft stays so; a quorum's cancellation is judged on its own path.
        if not existing.signatures and not existing.abandoned and existing.cancels is None:
            stored = decode_stored(app, _row(app, decoded.id), wallet, at_import=True)
            verdict = fresh_verdict(app, stored, now, ledger)
            write_verdict(app, stored, verdict, now)  # in this draft's savepoint
    if verdict is not None:
        kind, reasons = verdict.kind.value, [{"code": r.code, "message": r.message}
                                             for r in verdict.reasons]
    else:
        assert existing is not None
        kind, reasons = existing.verdict, existing.reasons
    facts = decoded.facts
    return {"id": decoded.id, "chain": decoded.chain, "asset": facts.asset,
            "amount": format(facts.amount, "f"),
            "destination": facts.destinations[0] if len(facts.destinations) == 1 else
            (list(facts.destinations) or None),
            "verdict": kind, "reasons": reasons, "new": existing is None,
            "state": _row(app, decoded.id).state, "source": incoming.source}


def _row(app: Appliance, draft_id: str) -> drafts.Draft:
    row = drafts.get(app.conn, draft_id)
    if row is None:
        raise RuntimeError(f"draft {draft_id}: not stored")
    return row


def _store(
    app: Appliance, incoming: IncomingDraft, decoded: Decoded, ledger: Ledger | None,
    now: datetime,
) -> Verdict:
    """The new draft with its first verdict and their journal entries, in the savepoint
    import_paths holds for it."""
    envelope = None
    if incoming.envelope is not None:
        envelope = {"key_id": incoming.envelope.key_id,
                    "body_sha256": incoming.envelope.body_sha256,
                    "draft": incoming.envelope.draft}
    entry = journal.append(
        app.conn, "draft_imported", "operator",
        {"draft": decoded.id, "chain": decoded.chain, "source": incoming.source,
         "source_sha256": incoming.source_sha256,
         "payload_sha256": hashlib.sha256(decoded.payload).hexdigest(),
         "vault_key": envelope["key_id"] if envelope else None,
         "vault_draft_id": incoming.envelope.draft.get("id") if incoming.envelope else None},
        app.clock,
    )
    record_imported(app.conn, decoded.id, now)  # the burst rule counts this draft too
    verdict = fresh_verdict(app, decoded, now, ledger)
    drafts.insert(app.conn, draft_id=decoded.id, chain=decoded.chain,
                  payload=decoded.payload, source=incoming.source, envelope=envelope,
                  summary=decoded.summary, seq=entry.seq, verdict=verdict_json(verdict))
    write_verdict(app, decoded, verdict, now, on_row=False, after=entry)
    return verdict
