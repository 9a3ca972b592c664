"""What the batch use cases return, typed: the CLI turns them into JSON and exit codes,
the TUI into lines. No dictionaries cross this boundary."""

from __future__ import annotations

from dataclasses import dataclass

from signer.errors import AirsignError, Exit


@dataclass(frozen=True)
class Refused:
    """One draft of a batch refused (`sign`, `export`, `screen`); the batch goes on."""

    id: str  # as the operator typed it when it could not be resolved
    code: str
    message: str
    exit: Exit

    @classmethod
    def of(cls, error: AirsignError, draft: str) -> Refused:
        return cls(draft, error.code, error.message, error.exit)

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class SignedBy:
    """One holder's signature stored on a draft."""

    id: str
    holder: str
    complete: bool  # the draft carries the quorum once this holder signed

    def to_json(self) -> dict[str, str | bool]:
        return {"id": self.id, "holder": self.holder, "complete": self.complete}
