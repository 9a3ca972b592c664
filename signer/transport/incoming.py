"""What intake hands to the use cases: one untrusted draft and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Chain = Literal["bitcoin", "ethereum"]


@dataclass(frozen=True)
class Envelope:
    """A vault-signed envelope whose Ed25519 signature has been verified.

    ``draft`` is the parsed draft JSON (airsign-draft/1) from the signed body bytes:
    ``id``, ``created_at``, ``chain``, ``network``, ``request`` and ``payload``.
    The signature only proves who sent it; the appliance still decodes the payload
    and checks that its effect equals ``request``.
    """

    key_id: str
    body_sha256: str
    draft: dict[str, Any]

    @property
    def request(self) -> dict[str, str]:
        return dict(self.draft["request"])


@dataclass(frozen=True)
class IncomingDraft:
    """One draft found in a file or QR code, not yet decoded or trusted.

    ``payload`` is the raw PSBT bytes (binary, base64 decoded) for bitcoin, or the
    Safe transaction JSON bytes for ethereum. ``envelope`` is None for a plain draft.
    """

    source: str  # file path, "file.gif#frame3", "qr:<file>"
    chain: Chain
    payload: bytes
    envelope: Envelope | None = None
    source_sha256: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RefusedInput:
    """A file or QR payload that is not a draft, with a stable code and a clear message."""

    source: str
    code: str
    message: str
    sha256: str | None = None  # of the refused bytes, when they could be read
