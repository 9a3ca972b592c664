"""A reason to refuse a Safe transaction, found by the structural checks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """A reason to refuse, with a stable snake_case code (docs/codes.md)."""

    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}
