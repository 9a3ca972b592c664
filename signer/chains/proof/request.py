"""The proof request file from the online side, read strictly (hostile, bounded input).

    {"type": "proof-of-reserves", "message": "<text>",
     "bitcoin": {"addresses": ["<address>", ...]},
     "ethereum": {"safe": "0x...", "chainId": N}}

Either chain part may be left out, not both. Only syntax is checked here: whether each
address belongs to the wallet, and whether the Safe is the registered one, is the
draft kind's review; whether the message is a proof is message_rules.py's screening.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from signer.canonical import canonical_json
from signer.chains.ethereum.fields import parse_address, parse_uint
from signer.errors import BadInput, bad_input
from signer.jsondepth import json_depth_exceeds

REQUEST_TYPE = "proof-of-reserves"
MAX_REQUEST_BYTES = 1024 * 1024  # 10,000 P2WSH addresses of 62 characters take ~660 KB
MAX_ADDRESSES = 10_000
MAX_MESSAGE_CHARS = 4096  # a hard bound; the policy's [proofs] max_length is usually lower
MAX_ADDRESS_CHARS = 90  # the longest bech32 string (BIP 173)

_TOP = ("type", "message", "bitcoin", "ethereum")
_BITCOIN = ("addresses",)
_ETHEREUM = ("safe", "chainId")
# Address syntax only (base58 or bech32 characters); the wallet decides what it is.
_ADDRESS = re.compile(r"[0-9A-Za-z]{14,90}")
_BECH32_HRPS = ("bc1", "tb1", "bcrt1")


@dataclass(frozen=True)
class SafeTarget:
    """The Safe whose ownership is to be proven."""

    safe: str  # EIP-55 checksum address
    chain_id: int


@dataclass(frozen=True)
class ProofRequest:
    """A proof of reserves request: the message and what must sign it."""

    message: str
    bitcoin_addresses: tuple[str, ...]  # empty when the request has no bitcoin part
    ethereum: SafeTarget | None

    def to_json(self) -> dict[str, Any]:
        """The request document, chain parts only when present."""
        obj: dict[str, Any] = {"type": REQUEST_TYPE, "message": self.message}
        if self.bitcoin_addresses:
            obj["bitcoin"] = {"addresses": list(self.bitcoin_addresses)}
        if self.ethereum is not None:
            obj["ethereum"] = {"safe": self.ethereum.safe, "chainId": self.ethereum.chain_id}
        return obj

    def canonical(self) -> bytes:
        """The bytes a draft stores and its id hashes: the same request is one draft.

        Uses the store's canonical JSON (chains sit above store in the layers, so this
        import is allowed), the same bytes every other draft payload gets.
        """
        return canonical_json(self.to_json())


def _exact_keys(
    obj: object, allowed: tuple[str, ...], source: str, where: str
) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise bad_input(source, where, f"a JSON object with the keys {', '.join(allowed)}")
    unknown = sorted(str(k) for k in obj if k not in allowed)
    if unknown:
        name = unknown[0] if where == "(top level)" else f"{where}.{unknown[0]}"
        raise BadInput(
            "unknown_field",
            f"{source}: field '{name}': not a proof request field; expected only "
            + ", ".join(allowed),
        )
    return obj


def _text(value: object, source: str, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise bad_input(source, field, "a non-empty JSON string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # JSON "\ud800" escapes decode to lone surrogates
        raise bad_input(
            source, field, "text that is valid UTF-8 (no lone surrogate escapes)"
        ) from None
    return value


def _message(value: object, source: str) -> str:
    text = _text(value, source, "message")
    if len(text) > MAX_MESSAGE_CHARS:
        raise BadInput(
            "proof_request_message_too_long",
            f"{source}: field 'message': expected at most {MAX_MESSAGE_CHARS} characters, "
            f"got {len(text)}",
        )
    return text


def _duplicate_key(address: str) -> str:
    # bech32 is case-insensitive: BC1Q... and bc1q... are one address
    lowered = address.lower()
    return lowered if lowered.startswith(_BECH32_HRPS) else address


def _addresses(part: object, source: str) -> tuple[str, ...]:
    addresses = _exact_keys(part, _BITCOIN, source, "bitcoin").get("addresses")
    if not isinstance(addresses, list) or not addresses:
        raise bad_input(source, "bitcoin.addresses", "a non-empty JSON array of address strings")
    if len(addresses) > MAX_ADDRESSES:
        raise BadInput(
            "proof_request_too_many_addresses",
            f"{source}: field 'bitcoin.addresses': expected at most {MAX_ADDRESSES} addresses, "
            f"got {len(addresses)}; split the proof into several requests",
        )
    seen: dict[str, int] = {}
    for index, address in enumerate(addresses):
        field = f"bitcoin.addresses[{index}]"
        if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
            raise bad_input(
                source, field, f"an address string of 14..{MAX_ADDRESS_CHARS} letters and digits"
            )
        first = seen.setdefault(_duplicate_key(address), index)
        if first != index:
            raise BadInput(
                "proof_request_duplicate_address",
                f"{source}: field '{field}': expected each address once; {address} is also "
                f"bitcoin.addresses[{first}]",
            )
    return tuple(addresses)


def _safe_target(part: object, source: str) -> SafeTarget:
    obj = _exact_keys(part, _ETHEREUM, source, "ethereum")
    for key in _ETHEREUM:
        if key not in obj:
            raise BadInput(
                "missing_field", f"{source}: field 'ethereum.{key}': required but missing"
            )
    chain_id = obj["chainId"]
    if not isinstance(chain_id, int) or isinstance(chain_id, bool):  # no decimal strings here
        raise bad_input(source, "ethereum.chainId", "a positive JSON integer")
    if parse_uint(chain_id, source, "ethereum.chainId", maximum=2**64 - 1) == 0:
        raise bad_input(source, "ethereum.chainId", "a positive JSON integer")
    return SafeTarget(parse_address(obj["safe"], source, "ethereum.safe"), chain_id)


def parse_proof_request(obj: object, source: str) -> ProofRequest:
    """Validate a decoded JSON object as a proof request; ``source`` names it in errors."""
    top = _exact_keys(obj, _TOP, source, "(top level)")
    for key in ("type", "message"):
        if key not in top:
            raise BadInput("missing_field", f"{source}: field '{key}': required but missing")
    if top["type"] != REQUEST_TYPE:
        raise BadInput("proof_request_type", f"{source}: field 'type': expected \"{REQUEST_TYPE}\"")
    if "bitcoin" not in top and "ethereum" not in top:
        raise BadInput(
            "proof_request_no_chain",
            f"{source}: fields 'bitcoin' and 'ethereum': expected at least one of them "
            "(what the proof is for)",
        )
    message = _message(top["message"], source)
    addresses = _addresses(top["bitcoin"], source) if "bitcoin" in top else ()
    safe = _safe_target(top["ethereum"], source) if "ethereum" in top else None
    return ProofRequest(message, addresses, safe)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        keys = [k for k, _ in pairs]
        raise ValueError(f"duplicate key '{next(k for k in keys if keys.count(k) > 1)}'")
    return obj


def _no_constant(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")


def parse_proof_request_json(raw: bytes | str, source: str) -> ProofRequest:
    """Parse a UTF-8 proof request file: bounded size and depth, no duplicate keys, no NaN."""
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > MAX_REQUEST_BYTES:
        raise BadInput(
            "proof_request_too_large",
            f"{source}: expected a proof request of at most {MAX_REQUEST_BYTES} bytes, got {size}",
        )
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if json_depth_exceeds(text, 3):  # object > bitcoin object > addresses array
            raise ValueError("nesting deeper than a proof request's three levels")
        obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError too
        raise BadInput(
            "bad_json", f"{source}: expected a proof request JSON object: {exc}"
        ) from None
    return parse_proof_request(obj, source)
