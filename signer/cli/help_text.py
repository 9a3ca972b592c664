"""What every command's ``--help`` says beyond its arguments: exit codes, environment, ids.

Kept in one place so each command's help names the same contract (ARCHITECTURE.md) and
a test can check every command at once; the command modules only give their one-line help.
"""

from __future__ import annotations

import argparse
from typing import Any

EXIT_CODES = """\
exit codes:
  0  ok                      3  rejected by policy      5  HSM or token error
  1  internal error          4  delayed by policy       6  holder locked out
  2  bad input or usage      141 (or 0) output pipe closed early, e.g. '| head'"""

ENVIRONMENT = """\
environment:
  AIRSIGN_HOME            the appliance home (default: the per-user data directory);
                          --home overrides it
  AIRSIGN_PIN_<H>         holder H's PIN (H is A, B or C) when there is no --pin-file;
                          without either, the PIN is asked at the terminal
  AIRSIGN_PASSPHRASE_<H>  holder H's SLIP-39 passphrase (recover)
  AIRSIGN_DEBUG=1         show the traceback of an internal error
  PINs and passphrases are never taken as arguments."""

ID_PREFIX = """\
draft ids: type the whole 16-hex-digit id or any prefix of 4 or more hex digits
  (any case); a prefix matching more than one draft is refused as ambiguous_draft"""

# Arguments that take draft ids: their commands also explain the prefix rule.
_ID_ARGUMENTS = {"id", "ids"}


def epilog_for(parser: argparse.ArgumentParser) -> str:
    """The exit codes, the environment and, for commands taking draft ids, the id rule."""
    parts = [EXIT_CODES, ENVIRONMENT]
    if any(action.dest in _ID_ARGUMENTS for action in parser._actions):
        parts.append(ID_PREFIX)
    return "\n\n".join(parts)


class CommandTable(argparse._SubParsersAction):
    """Subcommands whose help page opens with their one-line help as the description."""

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if "help" in kwargs:
            kwargs.setdefault("description", kwargs["help"])
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        return super().add_parser(name, **kwargs)


def with_help_text(parser: argparse.ArgumentParser) -> None:
    """Register the command table on ``parser`` (its subcommands get the same treatment)."""
    parser.register("action", "parsers", CommandTable)
