"""`import`, `drafts`, `show`, `screen`, `sign`, `release`, `export`.

Each command imports what it runs when it runs (see signer/cli/main.py: start-up time).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from signer.cli.context import Context, Result
from signer.errors import AirsignError, Exit
from signer.store.draft_state import DraftState
from signer.usecases.results import Refused

STATES = tuple(state.value for state in DraftState)
DEFAULT_LIMIT = 50


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    intake_parser = commands.add_parser(
        "import", parents=[common], help="import drafts (files, QR)"
    )
    intake_parser.add_argument("paths", nargs="+", type=Path)
    intake_parser.set_defaults(func=import_drafts)
    listing_parser = commands.add_parser(
        "drafts", parents=[common], help="list drafts that need action (newest first)"
    )
    view = listing_parser.add_mutually_exclusive_group()
    view.add_argument("--state", choices=STATES, help="only drafts in this state")
    view.add_argument("--all", action="store_true", help="drafts in every state")
    listing_parser.add_argument(
        "--limit", type=_limit, default=DEFAULT_LIMIT, metavar="N",
        help=f"at most N drafts (default {DEFAULT_LIMIT}; 0: no limit)",
    )
    listing_parser.add_argument(
        "--before", metavar="ID", help="the page after this draft (see next_before)"
    )
    listing_parser.set_defaults(func=list_drafts)
    show_parser = commands.add_parser(
        "show", parents=[common], help="decode exactly what would be signed"
    )
    show_parser.add_argument("id")
    show_parser.set_defaults(func=show_draft)
    screen_parser = commands.add_parser("screen", parents=[common], help="re-run risk screening")
    screen_parser.add_argument("ids", nargs="+")
    screen_parser.set_defaults(func=screen_drafts)
    sign_parser = commands.add_parser(
        "sign", parents=[common], help="sign approved drafts",
        description="Sign approved drafts with the holders' tokens (one PIN per holder per "
        "run). A draft is complete once two holders have signed it; 'export' then writes it. "
        "A draft that cannot be signed (rejected, delayed, or already signed by that holder) "
        "is refused with its code, and the others are still signed.",
    )
    sign_parser.add_argument("ids", nargs="+", help="draft ids or unique prefixes")
    sign_parser.add_argument(
        "--holder", required=True, action="append", dest="holders", metavar="H",
        help="the holder whose token signs; repeat it (--holder A --holder B) to have "
        "both holders at the session sign each draft in one pass",
    )
    sign_parser.set_defaults(func=sign)
    release_parser = commands.add_parser(
        "release", parents=[common], help="quorum override of a delay"
    )
    release_parser.add_argument("id")
    release_parser.add_argument("--holders", required=True)
    release_parser.add_argument("--reason", required=True)
    release_parser.set_defaults(func=release_draft)
    export_parser = commands.add_parser("export", parents=[common], help="write signed drafts")
    export_parser.add_argument("ids", nargs="+")
    export_parser.add_argument("--out", required=True, type=Path)
    export_parser.add_argument("--qr", action="store_true", help="also UR parts and PNG frames")
    export_parser.set_defaults(func=export)


def _with_refusals(doc: dict[str, Any], lines: list[str], refused: list[Refused]) -> Result:
    """Add the refusals (id, code, message) to a sign, export or screen result, with their
    exit code."""
    lines = [*lines, *(f"REFUSED {r.id}: {r.message}" for r in refused)]
    doc["refused"] = [r.to_json() for r in refused]
    return Result(doc, "\n".join(lines), _refusal_exit(refused))


def _refusal_exit(refused: list[Refused]) -> Exit:
    """The highest exit code among the refusals (6 locked out > 5 HSM > 4 delayed > 3
    rejected > 2 bad input), so the code does not depend on the order of the ids."""
    return Exit(max((int(r.exit) for r in refused), default=int(Exit.OK)))


def _verdict_exit(verdicts: list[str]) -> Exit:
    if "reject" in verdicts:
        return Exit.REJECTED
    if "delay" in verdicts:
        return Exit.DELAYED
    return Exit.OK


def import_drafts(ctx: Context) -> Result:
    from signer.usecases.intake import import_paths

    report = import_paths(ctx.app, ctx.args.paths)
    lines = [
        f"{d['id']} {d['chain']:<8} {d['verdict'].upper()}: {_headline(ctx, d['id'])}"
        + ("" if d["new"] else f", already known (state {d['state']})")
        + "".join(f"\n    {r['code']}: {r['message']}" for r in d["reasons"])
        for d in report.drafts
    ]
    lines += [f"REFUSED {r['file']}: {r['message']}" for r in report.refused]
    # Bad files first (exit 2), then policy refusals and verdicts (3 reject, 4 delay).
    verdicts = [d["verdict"] for d in report.drafts]
    verdicts += ["reject" for e in report.refusal_exits if e == Exit.REJECTED]
    bad_files = Exit.BAD_INPUT in report.refusal_exits
    exit_code = Exit.BAD_INPUT if bad_files else _verdict_exit(verdicts)
    return Result(report.as_json(), "\n".join(lines) or "nothing to import", exit_code)


def _headline(ctx: Context, draft_id: str) -> str:
    from signer.store import drafts
    from signer.usecases.describe import headline

    row = drafts.get(ctx.app.conn, draft_id)
    return headline(row) if row is not None else "(not stored)"


def _limit(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def list_drafts(ctx: Context) -> Result:
    from signer.store import draft_views
    from signer.store.clock import iso

    args = ctx.args
    before = None
    if args.before:
        from signer.usecases.draft_lookup import resolve  # decoding code: only when paging

        before = resolve(ctx.app, args.before)
    view = draft_views.ALL if args.all else (args.state or draft_views.NEEDS_ACTION)
    listed = draft_views.draft_list(
        ctx.app.conn, view, now=iso(ctx.app.clock()),
        before_seq=None if before is None else before.imported_seq, limit=args.limit or None)
    doc: dict[str, Any] = {"drafts": [d.to_json() for d in listed.drafts], "view": view,
                           "next_before": listed.next_before}
    from signer.usecases.describe import headline

    lines = [f"{d.id} {d.chain:<8} {d.state:<16} signed by {d.signers()}: {headline(d.row)}"
             for d in listed.drafts]
    if listed.next_before is not None:
        lines.append(f"(more: airsign drafts{_view_flag(view)} --before {listed.next_before})")
    if not lines:
        lines = ["no drafts need action (airsign drafts --all lists every draft)"
                 if view == "needs_action" else "no drafts"]
    return Result(doc, "\n".join(lines))


def _view_flag(view: str) -> str:
    return {"needs_action": "", "all": " --all"}.get(view, f" --state {view}")


def show_draft(ctx: Context) -> Result:
    from signer.chains.words import printable
    from signer.usecases.draft_lookup import resolve
    from signer.usecases.review import review

    shown = review(ctx.app, resolve(ctx.app, ctx.args.id))
    row, described = shown.row, shown.description
    payload_sha256, spoken = shown.payload_sha256, shown.spoken
    doc = {
        "id": row.id,
        "chain": row.chain,
        "state": row.state,
        "source": row.source,
        "verdict": row.verdict,
        "reasons": row.reasons,
        "not_before": row.not_before,
        "signatures": sorted(row.signatures),
        **row.summary,
        "request": row.envelope["draft"]["request"] if row.envelope else None,
        "vault_key": row.envelope["key_id"] if row.envelope else None,
        "payload_sha256": payload_sha256,
        "hash_words": spoken,
        "lookalikes": [found.to_json() for found in described.lookalikes],
    }
    if described.network_id is not None:
        doc[described.network_id[0]] = described.network_id[1]
    lines = [f"draft {row.id} ({row.chain}) — {row.state.upper()}, verdict {row.verdict.upper()}"]
    lines.append(f"  draft hash (read aloud): {' '.join(spoken)}")
    lines.append("  What the payload does (decoded here):")
    lines += [f"    {line}" for line in described.what_it_does()]
    lines.append("  Compare on a second device:")
    lines += [f"    {line}" for line in described.compare]
    lines += [f"  {line}" for line in described.request]
    lines += [f"  reason {r['code']}: {printable(r['message'])}" for r in row.reasons]
    lines.append(f"  signed by: {', '.join(sorted(row.signatures)) or 'nobody yet'}")
    return Result(doc, "\n".join(lines))


def screen_drafts(ctx: Context) -> Result:
    from signer.usecases.draft_lookup import resolve
    from signer.usecases.screening import rescreen

    results: list[dict[str, Any]] = []
    refused: list[Refused] = []
    for typed in ctx.args.ids:
        try:
            row = resolve(ctx.app, typed)
            verdict = rescreen(ctx.app, row)
        except AirsignError as error:  # one bad or signed id: the others are still screened
            refused.append(Refused.of(error, typed))
            continue
        results.append(
            {
                "id": row.id,
                "verdict": verdict.kind.value,
                "reasons": [{"code": r.code, "message": r.message} for r in verdict.reasons],
            }
        )
    lines = [
        f"{r['id']}: {r['verdict'].upper()} " + "; ".join(x["code"] for x in r["reasons"])
        for r in results
    ]
    result = _with_refusals({"drafts": results}, lines, refused)
    result.exit = max(result.exit, _verdict_exit([r["verdict"] for r in results]))
    return result


def sign(ctx: Context) -> Result:
    from signer.usecases.sign_drafts import sign_drafts

    report = sign_drafts(ctx.app, ctx.args.ids, ctx.args.holders, ctx.pin_reader())
    lines = [
        f"signed {s.id} as holder {s.holder}" + (" — quorum reached" if s.complete else "")
        for s in report.signed
    ]
    return _with_refusals({"signed": [s.to_json() for s in report.signed]}, lines,
                          report.refused)


def release_draft(ctx: Context) -> Result:
    from signer.usecases import holds

    draft_id = holds.release(
        ctx.app, ctx.args.id, ctx.args.holders, ctx.args.reason, ctx.pin_reader()
    )
    return Result({"id": draft_id, "released": True}, f"draft {draft_id} released")


def export(ctx: Context) -> Result:
    from signer.usecases.exporting import export_drafts

    report = export_drafts(ctx.app, ctx.args.ids, ctx.args.out, ctx.args.qr)
    lines = [f"wrote {f}" for f in report.files]
    return _with_refusals({"files": report.files}, lines, report.refused)
