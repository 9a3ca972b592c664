"""`abandon ID... --holders X,Y --reason TEXT` and `cancel ID --holders X,Y --reason TEXT`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from signer.cli.context import Context, Result
from signer.errors import BadInput


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    abandon = commands.add_parser(
        "abandon", parents=[common],
        help="free what drafts claim (coins, Safe nonce); never signed again (two holders)")
    abandon.add_argument("ids", nargs="+")
    abandon.add_argument("--holders", help="two holders, e.g. A,B")
    abandon.add_argument("--reason")
    abandon.add_argument("--preview", action="store_true",
                         help="only show what the signed transactions could still do")
    abandon.set_defaults(func=abandon_drafts)
    cancel = commands.add_parser(
        "cancel", parents=[common],
        help="abandon a Safe draft and create the cancellation at its nonce (two holders)")
    cancel.add_argument("id")
    cancel.add_argument("--holders", required=True)
    cancel.add_argument("--reason", required=True)
    cancel.set_defaults(func=cancel_draft)


def abandon_drafts(ctx: Context) -> Result:
    from signer.usecases import abandoning

    args = ctx.args
    if args.preview:
        shown = abandoning.preview(ctx.app, args.ids)
        return Result({"preview": True, "drafts": shown},
                      "\n".join(["would abandon:", *(d["text"] for d in shown)]))
    if not args.holders or args.reason is None:
        raise BadInput("usage", "abandon: --holders H,H and --reason TEXT are required "
                       "(or --preview)")
    if not getattr(args, "json", False):
        # Before any PIN is asked: what the holders are about to confirm.
        for draft in abandoning.preview(ctx.app, args.ids):
            print(draft["text"], file=sys.stderr)
    done = abandoning.abandon(ctx.app, args.ids, args.holders, args.reason, ctx.pin_reader())
    lines = [f"draft {d['id']} abandoned by {','.join(d['abandoned_by'])}" for d in done]
    return Result({"drafts": done}, "\n".join(lines))


def cancel_draft(ctx: Context) -> Result:
    from signer.usecases import abandoning

    args = ctx.args
    doc = abandoning.cancel(ctx.app, args.id, args.holders, args.reason, ctx.pin_reader())
    lines = []
    if doc["abandoned"]:
        lines.append(doc["abandoned"]["text"])
    lines.append(f"cancellation {doc['id']} at nonce {doc['nonce']} of Safe {doc['safe']} "
                 f"created ({doc['verdict']}); sign it: airsign sign {doc['id']} --holder H")
    lines += [f"  {r['code']}: {r['message']}" for r in doc["reasons"]]
    return Result(doc, "\n".join(lines))
