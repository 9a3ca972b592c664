"""`audit export`: JSON lines of the journal plus a detached signature for auditors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from signer.canonical import canonical_json
from signer.store import journal
from signer.store.files import refuse_existing, write_new_files
from signer.usecases import logins
from signer.usecases.appliance import Appliance

EXPORT_PURPOSE = "airsign-audit-export/1"


def export_journal(
    app: Appliance, out: Path, holder: str, read_pin: logins.PinReader
) -> dict[str, Any]:
    """Write ``out`` (one JSON entry per line) and ``out.sig`` signed by ``holder``'s audit key.

    Both files appear together or not at all, and an unusable ``--out`` is refused
    before the holder logs in.
    """
    signature_name = out.name + ".sig"
    refuse_existing(out.parent, [out.name, signature_name])
    lines = [canonical_json(entry.as_json()) for entry in journal.entries(app.conn)]
    content = b"\n".join(lines) + (b"\n" if lines else b"")
    digest = hashlib.sha256(content).hexdigest()
    holder = holder.upper()
    with logins.holders_logged_in(app, [holder], read_pin) as sessions:
        session = sessions[holder]
        key = session.key(logins.ensure_audit_key(app, holder, session))
        message = canonical_json({"purpose": EXPORT_PURPOSE, "sha256": digest})
        signature = session.sign_ed25519(key.key_id, message)
        detached = {
            "purpose": EXPORT_PURPOSE,
            "file": out.name,
            "sha256": digest,
            "holder": holder,
            "public_key": key.public_key.hex(),
            "signature": signature.hex(),
            "entries": len(lines),
        }
        written = write_new_files(out.parent, {
            out.name: content,
            signature_name: json.dumps(detached, indent=2).encode() + b"\n",
        })
        app.record(
            "audit_exported", holder, {"file": str(out), "sha256": digest, "entries": len(lines)}
        )
    return {"files": [str(p) for p in written], "sha256": digest, "entries": len(lines)}
