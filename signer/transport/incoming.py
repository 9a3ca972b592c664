"""What intake hands to the use cases: one untrusted draft and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class DraftFormat(Protocol):
    """How a kind of draft arrives (each kind in signer/chains provides this; transport
    may not import the chains, so the use cases hand the kinds in)."""

    name: str  # the draft's "chain" in an airsign-draft/1 document
    envelope_key: str  # its key under "payload"
    envelope_encoding: str  # "base64" (binary payloads) or "json" (a JSON object)
    envelope_what: str  # what the payload is, in an error: "PSBT"
    bare_format: str  # the file format it may arrive as alone ("psbt", "safe_tx"; "" none)
    # What an envelope's "request" holds: "transfer" (asset, amount, destination,
    # reference) or "message" (message, reference: a signed statement that moves nothing).
    request_shape: str

    def network_problem(self, network: object) -> str | None: ...


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

    ``payload`` is the kind's payload bytes (a binary PSBT, a Safe transaction's JSON).
    ``envelope`` is None for a plain draft.
    """

    source: str  # file path, "file.gif#frame3", "qr:<file>"
    chain: str  # the kind of draft (signer/chains/registry.py)
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
