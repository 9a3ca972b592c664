"""The chain interface: what every kind of draft provides, so that nothing above the
chains branches on which kind it is.

A kind of draft (a Bitcoin PSBT, a Safe transaction, a proof) is one folder under
``signer/chains/`` plus one line in ``kinds.py``. The use cases call it in this order:

1. intake: ``envelope_key``, ``envelope_encoding``, ``check_payload``,
   ``network_problem`` (the vault's file formats; transport holds no chain knowledge);
2. review: ``decode`` — the operator's view (``summary``), the structural findings and
   the facts the risk rules judge, the claims (outpoints, nonces) it spends once signed;
3. signing: ``plan`` (the digests each holder must sign, until the quorum), ``sign``
   (one holder's token, on that token's thread: it only asks the token), ``attach``
   (verify every signature against the registered key, add them, say whether complete);
4. export: ``artifacts`` (the files written for the online side);
5. words: ``describe`` for `show`, lists and the TUI.

Everything a kind returns is typed here; a kind never reads the state database: what it
needs from history comes through ``ClaimHistory``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from signer.chains.facts import DraftFacts
from signer.chains.finding import Finding
from signer.chains.words import Effect
from signer.errors import AirsignError

if TYPE_CHECKING:
    from signer.chains.registered_wallet import RegisteredWallet
    from signer.hsm.token import TokenSession


@dataclass(frozen=True)
class AssetRule:
    """One asset of the applied policy as a chain needs it (its token registry)."""

    symbol: str
    chain: str
    contract: str | None
    decimals: int


class ClaimHistory(Protocol):
    """What a kind may ask of the drafts stored before (answered from the store). Claims
    are text, ``<namespace>:...:<counter>`` for what a chain executes in order."""

    def recorded_counter(self, prefix: str) -> int:
        """The counter holders recorded from the chain for ``prefix`` (a Safe's nonce),
        0 until they do."""
        ...

    def claimed(self, prefix: str) -> frozenset[str]:
        """Claims starting with ``prefix`` held by signed drafts that are not abandoned."""
        ...

    def pending(self, chain: str, prefix: str) -> frozenset[str]:
        """Claims starting with ``prefix`` that stored drafts of ``chain`` not yet signed
        (and neither rejected nor abandoned) would make."""
        ...


@dataclass(frozen=True)
class DecodeContext:
    """What a kind may use to decode a payload, beside the payload itself.

    ``rules``: the applied policy's section the kind names (``policy_section``; None: no
    policy, or no such section); ``assets``: the policy's assets; ``history``: None when
    the claims are not judged again (a draft that carries a signature holds them);
    ``at_import``: judged as an import is; ``stored``: the payload is the stored draft's
    own serialisation; ``parsed``: the parse intake made of these very bytes;
    ``cancels``: this stored draft is the quorum's cancellation of that draft.
    """

    wallet: RegisteredWallet
    rules: object | None = None
    assets: tuple[AssetRule, ...] = ()
    witness_only_inputs: bool = False
    history: ClaimHistory | None = None
    at_import: bool = False
    stored: bool = False
    parsed: object | None = None
    cancels: str | None = None


@dataclass(frozen=True)
class Decoded:
    """One draft as this appliance decoded it (never as the online side describes it).

    ``moves_funds``: False for what moves nothing (a cancellation, a proof): the velocity,
    destination and breaker rules have nothing to judge and it never enters the velocity
    ledger; its findings alone decide. ``parsed``: the kind's own parse and review, kept
    so that signing signs exactly what was checked.
    """

    id: str
    chain: str
    payload: bytes
    summary: dict[str, Any]
    facts: DraftFacts
    claims: tuple[str, ...]
    moves_funds: bool = True
    parsed: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class HolderStep:
    """What one holder's token signs for a draft: opaque to everything but its kind."""

    holder: str
    work: Any


@dataclass(frozen=True)
class Plan:
    """Each holder's step, in order, until the draft would carry the quorum; and the
    refusal of a holder after them, if any (the steps before it still stand)."""

    steps: tuple[HolderStep, ...]
    refused_later: AirsignError | None = None


@dataclass(frozen=True)
class Signature:
    holder: str
    record: str  # what is stored for this holder's signature (kind-specific, text)
    complete: bool  # the draft carries the quorum once this holder signed


@dataclass(frozen=True)
class Attached:
    """What a signing turn leaves: the verified signatures (in order), the payload to
    store (None: unchanged), the final network artifact once complete (None: none), and
    the failure that ended the turn early (the signatures before it stand)."""

    made: tuple[Signature, ...]
    payload: bytes | None = None
    final: str | None = None
    failure: AirsignError | None = None


@dataclass(frozen=True)
class Artifacts:
    """The files an export writes for one draft, and what its QR frames carry."""

    files: dict[str, bytes]
    qr_payload: bytes
    ur_type: str


@dataclass(frozen=True)
class Words:
    """A draft in words: every effect, the hashes to compare on a second device, the one
    line a list shows, and the addresses in it that are the wallet's own."""

    effects: tuple[Effect, ...]
    compare: tuple[str, ...]
    headline: str
    own_addresses: tuple[str, ...] = ()
    network_id: tuple[str, str] | None = None  # (its --json key, the id): an unsigned txid
    raw: tuple[str, ...] = ()  # the decoded fields exactly as parsed (the TUI's raw view)
    sends: tuple[Decimal, str] | None = None  # amount and asset, when it is one transfer


@dataclass(frozen=True)
class Merged:
    """A re-import of a stored draft that adds proven signatures: the new payload, and
    what the journal records of them."""

    payload: bytes
    details: dict[str, Any]


@dataclass(frozen=True)
class StoredDraft:
    """The part of a stored draft a kind reads (the store's row has more)."""

    id: str
    payload: bytes
    summary: dict[str, Any]
    signatures: Mapping[str, str]  # holder -> record
    complete: bool
    final: str | None = None


class DraftKind(Protocol):
    """One kind of draft. See the module docstring for the order of the calls."""

    name: str  # as stored and in envelopes: "bitcoin"
    asset: str  # the native asset's symbol in the policy
    native_decimals: int
    envelope_key: str  # the key under an envelope's "payload"
    envelope_encoding: str  # "base64" (binary payloads) or "json" (a JSON object)
    envelope_what: str  # what the payload is, in an error: "PSBT"
    bare_format: str  # the file format intake recognises without an envelope ("" if none)
    request_shape: str  # what an envelope's "request" holds: "transfer" or "message"
    policy_section: str  # the policy table its rules are read from ([bitcoin], [proofs])
    broadcast_verb: str  # what the online side does with a complete draft: "broadcast"
    can_cancel: bool  # a quorum can create a cancellation of its drafts
    no_cancel_hint: str  # what to do instead, when it cannot

    # Intake -----------------------------------------------------------------------------
    def check_payload(self, payload: bytes, source: str) -> object: ...
    def network_problem(self, network: object) -> str | None: ...
    def wallet_network(self, wallet: RegisteredWallet) -> str: ...
    def normalise_address(self, text: str) -> str: ...
    def claims_address(self, text: str) -> bool: ...
    def asset_problem(self, contract: str | None, decimals: int | None,
                      fee_rate: bool) -> tuple[str, str] | None: ...

    # Review -----------------------------------------------------------------------------
    def decode(self, payload: bytes, source: str, context: DecodeContext) -> Decoded: ...
    def request_findings(self, request: Mapping[str, Any],
                         decoded: Decoded) -> list[Finding]: ...
    def merge(self, stored: StoredDraft, decoded: Decoded, source: str) -> Merged | None: ...

    # Signing ----------------------------------------------------------------------------
    def plan(self, decoded: Decoded, holders: Sequence[str], stored: StoredDraft,
             wallet: RegisteredWallet) -> Plan: ...
    def sign(self, step: HolderStep, token: TokenSession,
             wallet: RegisteredWallet) -> object: ...
    def attach(self, decoded: Decoded, stored: StoredDraft, signed: Sequence[tuple[str, object]],
               failure: AirsignError | None, wallet: RegisteredWallet) -> Attached: ...

    # Export and words -------------------------------------------------------------------
    def artifacts(self, stored: StoredDraft, wallet: RegisteredWallet) -> Artifacts: ...
    def describe(self, stored: StoredDraft, full: bool = True) -> Words: ...
    def released(self, claims: Sequence[str]) -> str: ...
    def cancellation(self, stored: StoredDraft, wallet: RegisteredWallet) -> bytes: ...


ID_HEX = 16


def draft_id(chain: str, canonical: bytes) -> str:
    """Short hex prefix of SHA-256 of the canonical payload: one draft however often imported."""
    import hashlib

    return hashlib.sha256(f"airsign-draft/{chain}:".encode() + canonical).hexdigest()[:ID_HEX]
