"""`audit verify`, `audit show`, `audit export`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from signer.cli.context import Context, Result
from signer.errors import Exit


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("audit", parents=[common], help="the hash-chained journal")
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify", parents=[common],
        help="check the chain from the last signed checkpoint on (--full: from seq 1)",
    )
    verify.add_argument(
        "--full", action="store_true",
        help="walk the whole journal and every checkpoint (time grows with the journal)",
    )
    verify.set_defaults(func=verify_journal)
    show = actions.add_parser("show", parents=[common], help="print entries")
    show.add_argument("--since", type=int, default=0, help="first seq to show")
    show.add_argument("--kind", help="only entries of this kind")
    show.set_defaults(func=show_journal)
    export = actions.add_parser("export", parents=[common], help="JSON lines + signature")
    export.add_argument("--out", required=True, type=Path)
    export.add_argument("--holder", default="A", help="holder whose audit key signs (default A)")
    export.set_defaults(func=export_audit)


def verify_journal(ctx: Context) -> Result:
    from signer.store import audit

    full = bool(ctx.args.full)
    result = audit.verify(ctx.app.conn) if full else audit.verify_recent(ctx.app.conn)
    if result.ok and result.from_seq == 1:
        text = f"journal OK: {result.entries} entries, {result.checkpoints} checkpoints verified"
    elif result.ok:
        text = (f"journal OK: {result.entries} entries; checked from seq {result.from_seq}, "
                f"the head of the last signed checkpoint, with {result.checkpoints} "
                "checkpoint(s) verified ('audit verify --full' walks from seq 1)")
    else:
        text = f"JOURNAL BROKEN at seq {result.first_bad_seq}: {result.problem}"
    doc = {**result.as_json(), "mode": "full" if full else "recent", "from_seq": result.from_seq}
    return Result(doc, text, Exit.OK if result.ok else Exit.REJECTED)


def show_journal(ctx: Context) -> Result:
    from signer.store import journal

    shown = [e.as_json() for e in journal.entries(ctx.app.conn, ctx.args.since, ctx.args.kind)]
    text = "\n".join(
        f"{e['seq']:>6} {e['time']} {e['kind']:<22} {e['actor']:<6} "
        f"{json.dumps(e['data'], sort_keys=True)}"
        for e in shown
    )
    return Result({"entries": shown}, text or "no entries")


def export_audit(ctx: Context) -> Result:
    from signer.usecases.audit_export import export_journal

    doc = export_journal(ctx.app, ctx.args.out, ctx.args.holder, ctx.pin_reader())
    return Result(doc, "\n".join(f"wrote {f}" for f in doc["files"]))
