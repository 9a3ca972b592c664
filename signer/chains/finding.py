"""A reason not to sign, in one shape for every chain and for the risk rules."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """A stable snake_case code (docs/codes.md), a message for the holder, and where in
    the draft it was found when that helps ("input 1", "nonce"); empty when it is the
    draft as a whole."""

    code: str
    message: str
    where: str = ""

    def to_json(self) -> dict[str, str]:
        shown = {"code": self.code, "message": self.message}
        return {**shown, "where": self.where} if self.where else shown
