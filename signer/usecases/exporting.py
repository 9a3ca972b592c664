"""Exporting signed drafts: each kind's files (PSBT, raw transaction, Safe signatures), QR
frames, a manifest.

Files are written under a temporary name, fsynced and linked into place (never
overwriting); the manifest and the journal entry come last, so a crash leaves no
manifest that names a missing file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from signer.chains import kinds
from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import AirsignError, BadInput
from signer.store import drafts, journal
from signer.store.db import transaction
from signer.store.draft_state import Action, refusal
from signer.store.drafts import Draft
from signer.store.files import write_new, write_new_files
from signer.transport.qr import export_files
from signer.usecases.appliance import Appliance
from signer.usecases.draft_lookup import resolve, stored_draft
from signer.usecases.results import Refused
from signer.usecases.wallet import load_wallet

MANIFEST = "MANIFEST.sha256"


@dataclass
class ExportReport:
    files: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


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
            report.refused.append(Refused.of(error, typed))
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


def _files_for(row: Draft, wallet: RegisteredWallet, qr: bool) -> dict[str, bytes]:
    refused = refusal(row, Action.EXPORT)  # abandoned, rejected, not signed
    if refused is not None:
        raise refused.error()
    artifacts = kinds.kind(row.chain).artifacts(stored_draft(row), wallet)
    files = dict(artifacts.files)
    if qr:
        files.update(export_files(row.id, artifacts.qr_payload, artifacts.ur_type))
    return files
