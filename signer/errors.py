"""One error type the operator can act on, with the command-line contract's exit codes."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """Exit codes of the command-line contract (ARCHITECTURE.md)."""

    OK = 0
    INTERNAL = 1
    BAD_INPUT = 2
    REJECTED = 3
    DELAYED = 4
    HSM = 5
    LOCKED_OUT = 6


class AirsignError(Exception):
    """An error the operator can act on.

    ``code`` is a stable snake_case identifier (listed in docs/codes.md), ``message``
    says what was wrong, where, and what to do; ``exit`` is the contract's exit code.
    """

    exit: Exit = Exit.INTERNAL

    def __init__(self, code: str, message: str, exit: Exit | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if exit is not None:
            self.exit = exit

    def to_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


class BadInput(AirsignError):
    """Hostile or malformed input: names the file, the field and what was expected."""

    exit = Exit.BAD_INPUT


class HsmError(AirsignError):
    """Module missing, token absent, wrong PIN, mechanism missing."""

    exit = Exit.HSM


class LockedOut(AirsignError):
    """The appliance refuses a login without touching the token."""

    exit = Exit.LOCKED_OUT


class Rejected(AirsignError):
    """Refused by policy or by a structural check."""

    exit = Exit.REJECTED


class Delayed(AirsignError):
    """Held by the risk policy until a time or a quorum release."""

    exit = Exit.DELAYED


def bad_input(where: str, field: str, expected: str, code: str = "bad_input") -> BadInput:
    """Build the standard bad-input error: ``<where>: field <field>: expected <expected>``."""
    return BadInput(code, f"{where}: field '{field}': expected {expected}")
