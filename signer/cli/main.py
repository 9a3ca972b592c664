"""`airsign` entry point: parse, run one command, print text or one JSON document.

Start-up time matters (integrators run one command per draft): the command modules only
register their parsers here; what a command needs (HSM, chains, store) is imported when it
runs. tests/cli/test_cold_start.py fails if a heavy package comes back into this path.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from signer import __version__
from signer.cli import (
    abandon_cmds,
    audit_cmds,
    draft_cmds,
    envelope_cmds,
    home_cmds,
    policy_cmds,
    proof_cmds,
    recover_cmds,
    token_cmds,
    wallet_cmds,
)
from signer.cli.context import Context, Parser, Result
from signer.errors import AirsignError, Exit

COMMAND_MODULES = (
    home_cmds, token_cmds, wallet_cmds, draft_cmds, abandon_cmds, envelope_cmds, policy_cmds,
    recover_cmds, audit_cmds, proof_cmds,
)


def build_parser() -> Parser:
    common = Parser(add_help=False)
    common.add_argument("--home", default=argparse.SUPPRESS, help="appliance home directory")
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print one JSON document on stdout",
    )
    common.add_argument(
        "--pin-file",
        default=argparse.SUPPRESS,
        help="file with the PIN, or lines H=PIN (never pass PINs as arguments)",
    )
    parser = Parser(
        prog="airsign",
        parents=[common],
        description="HSM-backed key-ceremony and signing appliance",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"airsign {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands, common)
    tui = commands.add_parser("tui", parents=[common], help="the terminal UI (default)")
    tui.add_argument("inbox", nargs="?", type=Path,
                     help="where the intake screen starts (default: the home's inbox/)")
    tui.set_defaults(func=None)
    return parser


def _emit(result: Result, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.doc, indent=2, sort_keys=False))
    elif result.text:
        print(result.text)
    sys.stdout.flush()  # a closed pipe shows here, inside run(), not at interpreter exit


def _emit_error(error: AirsignError, as_json: bool) -> None:
    if as_json:
        print(json.dumps(error.to_json(), indent=2))
    else:  # the stable code in brackets, for scripts that read text output too
        print(f"error[{error.code}]: {error.message}", file=sys.stderr)


def run(argv: Sequence[str]) -> int:
    if list(argv) == ["--version"]:  # answered before the command table is built
        print(f"airsign {__version__}")
        raise SystemExit(0)  # as argparse's version action does
    as_json = "--json" in argv
    context: Context | None = None
    try:
        args = build_parser().parse_args(list(argv))
        as_json = bool(getattr(args, "json", False))
        context = Context(args)
        func = getattr(args, "func", None)
        if func is None:
            from signer.tui.launch import launch

            return launch(context.home_path, getattr(args, "inbox", None))
        result = func(context)
        _emit(result, as_json)
        return int(result.exit)
    except AirsignError as error:
        _emit_error(error, as_json)
        return int(error.exit)
    except BrokenPipeError:  # the reader went away ('| head'): main() ends quietly
        raise
    except KeyboardInterrupt:
        _emit_error(AirsignError("interrupted", "interrupted by the operator"), as_json)
        return int(Exit.INTERNAL)
    except Exception as error:  # an internal error: say so plainly, no traceback
        if os.environ.get("AIRSIGN_DEBUG"):
            raise
        internal = AirsignError(
            "internal_error",
            f"internal error ({type(error).__name__}: {error}); "
            "rerun with AIRSIGN_DEBUG=1 for details",
        )
        _emit_error(internal, as_json)
        return int(Exit.INTERNAL)
    finally:
        if context is not None:
            context.close()


# What a shell reports for a process ended by SIGPIPE (128 + 13): 'airsign drafts | head -1'
# ends as 'yes | head -1' does, so a script with 'set -o pipefail' sees the usual status.
PIPE_CLOSED = 141


def _pipe_closed() -> int:
    """The reader of stdout has gone: say nothing more (no traceback, no 'internal error')
    and keep Python's exit-time flush from writing to the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return PIPE_CLOSED


def main() -> None:
    try:
        code = run(sys.argv[1:])
        sys.stdout.flush()
    except BrokenPipeError:
        code = _pipe_closed()
    sys.exit(code)
