"""`envelope seal`: wrap a draft in a vault-signed envelope (online side and tests; no home)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from signer.cli.context import Context, Result

MAX_DRAFT_FILE = 1024 * 1024
DEFAULT_KEY_ID = "vault"


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    envelope = commands.add_parser("envelope", parents=[common], help="vault envelopes")
    actions = envelope.add_subparsers(dest="envelope_action", required=True, metavar="ACTION")
    seal_cmd = actions.add_parser("seal", parents=[common],
                                  help="sign a draft JSON with an Ed25519 private key")
    seal_cmd.add_argument("draft", type=Path, metavar="DRAFT.json")
    seal_cmd.add_argument("--key", required=True, type=Path, help="Ed25519 private key (PEM)")
    seal_cmd.add_argument("--id", dest="key_id", default=DEFAULT_KEY_ID,
                          help=f"key id the appliance registered (default {DEFAULT_KEY_ID})")
    seal_cmd.add_argument("--out", type=Path, help="write here (never overwrites)")
    seal_cmd.set_defaults(func=envelope_seal)


def _read_draft(path: Path) -> bytes:
    from signer.operator_files import read_small_file

    return read_small_file(path, MAX_DRAFT_FILE, "unreadable", "DRAFT.json")


def _check_payload(draft: dict[str, Any], source: str) -> None:
    """The appliance parses the payload too: refuse here what it would refuse there."""
    from signer.chains import kinds
    from signer.transport.envelope import envelope_payload

    kind = kinds.kind(draft["chain"])
    kind.check_payload(envelope_payload(draft, kind), f"{source} payload.{kind.envelope_key}")


def envelope_seal(ctx: Context) -> Result:
    import hashlib

    from signer.chains import kinds
    from signer.store.files import write_new
    from signer.transport.envelope import load_signing_key, parse_plain_draft, seal

    args = ctx.args
    body = _read_draft(args.draft)
    draft = parse_plain_draft(body, str(args.draft), kinds.every())
    _check_payload(draft, str(args.draft))
    envelope = seal(body, load_signing_key(args.key), args.key_id)
    doc: dict[str, Any] = {"draft_id": draft["id"], "key_id": args.key_id,
                           "body_sha256": hashlib.sha256(body).hexdigest()}
    if args.out is not None:
        write_new(args.out, envelope)
        doc["file"] = str(args.out)
        return Result(doc, f"wrote {args.out} (draft {draft['id']}, key {args.key_id})")
    doc["envelope"] = json.loads(envelope)
    return Result(doc, envelope.decode("ascii").rstrip("\n"))
