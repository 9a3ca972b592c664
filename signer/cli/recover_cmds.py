"""`recover H --shares FILE... --token LABEL --holders X [--drill]` and `drills`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signer.cli.context import Context, Result

if TYPE_CHECKING:
    from ceremony.recovery import PassphraseReader


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    recover = commands.add_parser(
        "recover", parents=[common],
        help="restore holder H's keys from SLIP-39 shares into an empty token (or --drill)",
    )
    recover.add_argument("holder")
    recover.add_argument("--shares", nargs="+", required=True, type=Path, metavar="FILE",
                         help="share cards or text files of the words")
    recover.add_argument("--token", help="label of the new, empty token (not with --drill)")
    recover.add_argument("--holders", help="other holder(s) authorising the restore, e.g. A")
    recover.add_argument("--drill", action="store_true",
                         help="only prove the shares rebuild the registered key; import nothing")
    recover.add_argument("--passphrase", action="store_true",
                         help="the backup uses a SLIP-39 passphrase "
                              "(from $AIRSIGN_PASSPHRASE_<H> or a prompt)")
    recover.set_defaults(func=recover_holder)
    drills = commands.add_parser("drills", parents=[common],
                                 help="days since each holder's last successful backup drill")
    drills.set_defaults(func=list_drills)


def _passphrase_reader(ctx: Context, holder: str) -> PassphraseReader | None:
    from signer.cli.prompts import passphrase_env_name, read_passphrase

    asked = ctx.args.passphrase or bool(os.environ.get(passphrase_env_name(holder)))
    return read_passphrase if asked else None


def recover_holder(ctx: Context) -> Result:
    from ceremony.drills import run_drill
    from ceremony.recovery import restore_holder

    args = ctx.args
    reader = _passphrase_reader(ctx, args.holder)
    if args.drill:
        doc = run_drill(ctx.app, args.holder, args.shares, reader)
        text = (f"drill passed: the shares rebuild holder {doc['holder']}'s registered key "
                f"(fingerprint {doc['fingerprint']}); nothing was imported")
        return Result(doc, text)
    doc = restore_holder(ctx.app, args.holder, args.shares, args.token, args.holders,
                         ctx.pin_reader(), reader)
    text = (f"holder {doc['holder']} restored into token {doc['token']!r}: "
            f"{doc['keys_imported']} keys imported and proven; token {doc['previous_token']!r} "
            f"is retired for holder {doc['holder']}")
    return Result(doc, text)


def list_drills(ctx: Context) -> Result:
    from ceremony.drills import drill_status

    status = drill_status(ctx.app)
    stale_days = ctx.app.home.config.settings.drill_stale_days
    lines = [
        f"holder {s.holder}: " + (f"last drill {s.last} ({s.days} days ago)" if s.last
                                  else "never drilled") + ("  STALE" if s.stale else "")
        for s in status.values()
    ]
    return Result({"drills": [s.as_json() for s in status.values()], "stale_days": stale_days},
                  "\n".join(lines))
