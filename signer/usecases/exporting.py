"""Exporting signed drafts: PSBT, raw transaction, Safe signatures, QR frames, a manifest.

Files are written under a temporary name, fsynced and linked into place (never
overwriting); the manifest and the journal entry come last, so a crash leaves no
manifest that names a missing file.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signer.chains.bitcoin.finalize import extract_transaction, finalize_in_place
from signer.chains.bitcoin.psbt_file import read_psbt
from signer.chains.ethereum import OwnerSignature, export_json, parse_safe_tx_json, safe_tx_hash
from signer.errors import AirsignError, BadInput, Rejected
from signer.store import drafts, journal
from signer.store.db import transaction
from signer.store.drafts import DraftRow
from signer.store.files import write_new, write_new_files
from signer.transport.qr import export_files
from signer.usecases.appliance import Appliance
from signer.usecases.draft_lookup import resolve
from signer.usecases.wallet import RegisteredWallet, load_wallet

MANIFEST = "MANIFEST.sha256"


@dataclass
class ExportReport:
    files: list[str] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)


def _out_dir(path: Path) -> Path:
    if not path.is_dir() or path.is_symlink():
        raise BadInput("bad_directory", f"--out {path}: expected an existing directory")
    if (path / MANIFEST).exists():
        raise BadInput("output_exists", f"--out {path}: already holds {MANIFEST}; export into "
                       "a new directory (files are never overwritten)")
    return path


def export_drafts(app: Appliance, typed_ids: list[str], out: Path, qr: bool) -> ExportReport:
    directory = _out_dir(out)
    wallet = load_wallet(app)
    report = ExportReport()
    planned: dict[str, dict[str, bytes]] = {}
    for typed in typed_ids:
        try:
            row = resolve(app, typed)
            planned[row.id] = _files_for(row, wallet, qr)
        except AirsignError as error:
            report.refused.append(error.refusal(typed))
    if not planned:
        return report
    everything = {name: content for files in planned.values() for name, content in files.items()}
    report.files += [str(p) for p in write_new_files(directory, everything)]
    sums = {name: hashlib.sha256(content).hexdigest() for name, content in everything.items()}
    manifest = "".join(f"{digest}  {name}\n" for name, digest in sorted(sums.items()))
    write_new(directory / MANIFEST, manifest.encode())
    report.files.append(str(directory / MANIFEST))
    with transaction(app.conn):
        journal.append(app.conn, "drafts_exported", "operator",
                       {"drafts": sorted(planned), "directory": str(directory), "files": sums},
                       app.clock)
        drafts.mark_all(app.conn, list(planned), "exported")
    return report


def _files_for(row: DraftRow, wallet: RegisteredWallet, qr: bool) -> dict[str, bytes]:
    if row.abandoned:
        raise Rejected("abandoned", f"draft {row.id} was abandoned by a quorum: it is never "
                       "exported again")
    if row.verdict == "reject" and not row.signatures:
        raise Rejected("rejected", f"draft {row.id} was rejected; there is nothing to export")
    if not row.signatures:
        raise Rejected("not_signed", f"draft {row.id} carries none of our signatures yet")
    if row.chain == "bitcoin":
        files = _bitcoin_files(row)
        qr_payload, ur_type = row.payload, "crypto-psbt"
    else:
        if not row.complete:
            raise Rejected("not_fully_signed", f"draft {row.id} has {len(row.signatures)} of "
                           f"{wallet.threshold} Safe signatures; sign with another holder first")
        document = _safe_signatures(row, wallet)
        text = json.dumps(document, indent=2) + "\n"
        files = {f"{row.id}.safe-signatures.json": text.encode()}
        qr_payload, ur_type = text.encode(), "bytes"
    if qr:
        files.update(export_files(row.id, qr_payload, ur_type))
    return files


def _bitcoin_files(row: DraftRow) -> dict[str, bytes]:
    files = {
        f"{row.id}.psbt": row.payload,
        f"{row.id}.psbt.txt": base64.b64encode(row.payload) + b"\n",
    }
    if row.complete:
        files[f"{row.id}.tx.hex"] = ((row.final_tx or _finalized(row)) + "\n").encode()
    return files


def _finalized(row: DraftRow) -> str:
    """A draft completed by an airsign older than the stored final transaction."""
    final = read_psbt(row.payload, f"draft {row.id}")  # a fresh parse: ours to finalize
    finalize_in_place(final)
    return extract_transaction(final).hex


def _safe_signatures(row: DraftRow, wallet: RegisteredWallet) -> dict[str, Any]:
    tx = parse_safe_tx_json(row.payload, f"draft {row.id}")
    signatures = [OwnerSignature(holder, wallet.holder(holder).owner, bytes.fromhex(sig))
                  for holder, sig in row.signatures.items()]
    return export_json(safe_tx_hash(tx), signatures)
