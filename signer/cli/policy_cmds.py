"""`policy show|check|apply`, `breaker reset`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from signer.cli.context import Context, Result
from signer.errors import BadInput


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    policy = commands.add_parser("policy", parents=[common], help="the risk policy")
    actions = policy.add_subparsers(dest="policy_action", required=True, metavar="ACTION")
    actions.add_parser("show", parents=[common], help="the applied policy").set_defaults(
        func=show_policy
    )
    check_parser = actions.add_parser("check", parents=[common], help="validate without applying")
    check_parser.add_argument("file", type=Path)
    check_parser.set_defaults(func=check)
    apply_parser = actions.add_parser("apply", parents=[common], help="apply (two holders)")
    apply_parser.add_argument("file", type=Path)
    apply_parser.add_argument("--holders", required=True)
    apply_parser.set_defaults(func=apply)
    breaker = commands.add_parser("breaker", parents=[common], help="the circuit breaker")
    breaker_actions = breaker.add_subparsers(dest="breaker_action", required=True, metavar="ACTION")
    breaker_actions.add_parser("show", parents=[common], help="state").set_defaults(
        func=show_breaker
    )
    reset_parser = breaker_actions.add_parser("reset", parents=[common], help="reset (two holders)")
    reset_parser.add_argument("--holders", required=True)
    reset_parser.add_argument("--reason", required=True)
    reset_parser.set_defaults(func=reset_breaker)


def show_policy(ctx: Context) -> Result:
    from signer.usecases.policy import active_policy, describe

    policy = active_policy(ctx.app)
    if policy is None:
        raise BadInput(
            "no_policy",
            "no risk policy is applied: nothing will be signed; "
            "run 'airsign policy apply FILE --holders H,H'",
        )
    doc = describe(policy)
    return Result(doc, f"applied policy {doc['hash']}\n" + json.dumps(doc["policy"], indent=2))


def check(ctx: Context) -> Result:
    from signer.usecases.policy import check_policy

    doc = check_policy(ctx.args.file)
    return Result(doc, f"{ctx.args.file}: valid, hash {doc['hash']}")


def apply(ctx: Context) -> Result:
    from signer.usecases.policy import apply_policy

    doc = apply_policy(ctx.app, ctx.args.file, ctx.args.holders, ctx.pin_reader())
    return Result(doc, f"policy {doc['hash']} applied")


def show_breaker(ctx: Context) -> Result:
    from signer.risk import SqlLedger

    state = SqlLedger(ctx.app.conn).breaker()
    doc = {
        "open": state.tripped_at is not None,
        "tripped_at": state.tripped_at.isoformat() if state.tripped_at else None,
        "last_reset_at": state.last_reset_at.isoformat() if state.last_reset_at else None,
    }
    text = (
        "CIRCUIT BREAKER OPEN since " + str(doc["tripped_at"]) + ": signing is halted"
        if doc["open"]
        else "circuit breaker closed"
    )
    return Result(doc, text)


def reset_breaker(ctx: Context) -> Result:
    from signer.usecases import holds

    holds.reset_circuit_breaker(ctx.app, ctx.args.holders, ctx.args.reason, ctx.pin_reader())
    return Result({"reset": True}, "circuit breaker reset")
