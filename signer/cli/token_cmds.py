"""`tokens`, `tokens check H`, `tokens unlock H --holders X,Y`."""

from __future__ import annotations

import argparse
from typing import Any

from signer.cli.context import Context, Result


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    tokens = commands.add_parser(
        "tokens", parents=[common], help="slots, tokens, holder mapping, lockout state"
    )
    tokens.set_defaults(func=list_tokens)
    actions = tokens.add_subparsers(dest="token_action", metavar="ACTION")
    check = actions.add_parser("check", parents=[common], help="log a holder in and out")
    check.add_argument("holder")
    check.set_defaults(func=check_login)
    unlock = actions.add_parser(
        "unlock", parents=[common], help="lift a PIN lockout (two other holders)"
    )
    unlock.add_argument("holder")
    unlock.add_argument("--holders", required=True, help="two other holders, e.g. B,C")
    unlock.set_defaults(func=unlock_holder)


def list_tokens(ctx: Context) -> Result:
    from signer.usecases.token_overview import token_overview

    overview = token_overview(ctx.app)
    lines = []
    for holder in overview["holders"]:
        presence = "present" if holder["present"] else "ABSENT"
        lock = "LOCKED OUT" if holder["locked"] else f"{holder['failures']} failed PIN(s)"
        lines.append(f"holder {holder['id']}: token {holder['token']!r} {presence}; {lock}")
    for token in overview["tokens"]:
        if token["label"] and token["holder"] is None:
            lines.append(f"unassigned token {token['label']!r} (slot {token['slot']})")
    return Result(overview, "\n".join(lines))


def check_login(ctx: Context) -> Result:
    from signer.usecases import logins

    holder = ctx.args.holder.upper()
    with logins.holders_logged_in(ctx.app, [holder], ctx.pin_reader()) as sessions:
        keys = len(sessions[holder].keys())
    return Result(
        {"holder": holder, "login": "ok", "keys": keys},
        f"holder {holder}: PIN accepted; token holds {keys} airsign key(s)",
    )


def unlock_holder(ctx: Context) -> Result:
    from signer.usecases import logins

    holder = ctx.args.holder.upper()
    logins.unlock(ctx.app, holder, ctx.args.holders, ctx.pin_reader())
    return Result(
        {"holder": holder, "unlocked": True, "by": ctx.args.holders.upper().split(",")},
        f"holder {holder} unlocked",
    )
