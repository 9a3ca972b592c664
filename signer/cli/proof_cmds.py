"""`proof verify`: check an exported proof of reserves with the independent verifiers only
(no tokens, no appliance home)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from signer.cli.context import Context, Result
from signer.errors import Exit


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    proof = commands.add_parser("proof", parents=[common], help="proofs of reserves")
    actions = proof.add_subparsers(dest="proof_action", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", parents=[common],
        help="check every signature of ID.proof.json (python-bitcointx, eth-account)")
    verify.add_argument("file", type=Path, metavar="FILE.proof.json")
    verify.set_defaults(func=verify_proof)


def verify_proof(ctx: Context) -> Result:
    from signer.chains.proof.verify_file import MAX_PROOF_FILE, report_lines
    from signer.chains.proof.verify_file import verify_proof as verify
    from signer.operator_files import read_small_file

    path = ctx.args.file
    raw = read_small_file(path, MAX_PROOF_FILE, "unreadable", "FILE.proof.json")
    report = verify(raw, str(path))
    return Result(report, "\n".join(report_lines(report)),
                  Exit.OK if report["ok"] else Exit.REJECTED)
