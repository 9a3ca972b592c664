"""Screening of a proof message: only a plain, printable statement is ever signed.

A Safe's EIP-1271 signature can authorise off-chain orders and token permits (Permit2,
Seaport), and a personal-message signature over a hash can stand for the hash itself, so
the appliance refuses anything that is not readable prose starting with a policy prefix.
Pure functions of the message and the policy's ``[proofs]`` table; each finding has a
``proof_message_*`` code (docs/proof-of-reserves.md).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from signer.chains.finding import Finding
from signer.errors import BadInput

POLICY_CODE = "bad_policy"
DEFAULT_MAX_LENGTH = 1000
MAX_LENGTH_LIMIT = 4096  # the request parser's own bound (request.MAX_MESSAGE_CHARS)
MAX_PREFIXES = 64
MAX_PREFIX_CHARS = 200

# Bidirectional formatting: embeddings/overrides, isolates, marks (Trojan Source, CVE-2021-42574).
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Names that belong to typed data, permits, orders and transactions, never to prose.
_STRUCTURED_WORDS = re.compile(
    r"EIP712Domain|primaryType|verifyingContract|PermitSingle|PermitBatch|PermitDetails|"
    r"PermitTransferFrom|PermitWitnessTransferFrom|TokenPermissions|sigDeadline|"
    r"OrderComponents|OfferItem|ConsiderationItem|zoneHash|conduitKey|safeTxGas|"
    r"refundReceiver|gasPrice|maxFeePerGas|maxPriorityFeePerGas|accessList"
)
_JSON_KEY = re.compile(r"[\"']\s*[A-Za-z_][A-Za-z0-9_]*\s*[\"']\s*:")
_HEX32 = re.compile(r"(?:0[xX])?[0-9a-fA-F]{64}")
_HEX_BLOB = re.compile(r"(?:0[xX])?[0-9a-fA-F]{16,}")  # a whole body of 8+ bytes of hex
_LONG_HEX_RUN = re.compile(r"(?:0[xX])?[0-9a-fA-F]{65,}")  # more than a 32-byte hash inside text
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{81,}")  # base64 / base58 blobs; addresses are shorter
_TRIM = " \t:;,.-_"


@dataclass(frozen=True)
class ProofRules:
    """The policy's ``[proofs]`` table: who may be named at the start, and how long."""

    prefixes: tuple[str, ...]
    max_length: int = DEFAULT_MAX_LENGTH


def _policy_error(where: str, key: str, expected: str) -> BadInput:
    return BadInput(POLICY_CODE, f"{where}: field 'proofs.{key}': expected {expected}")


def parse_proof_rules(table: object, where: str) -> ProofRules:
    """Read the ``[proofs]`` table of a policy (a TOML table as a dict); unknown keys refused."""
    if not isinstance(table, Mapping):
        raise BadInput(POLICY_CODE, f"{where}: field 'proofs': expected a table")
    unknown = sorted(str(k) for k in table if k not in ("prefixes", "max_length"))
    if unknown:
        raise _policy_error(where, unknown[0], "no such key (allowed here: prefixes, max_length)")
    prefixes = table.get("prefixes")
    if not isinstance(prefixes, list) or not prefixes or len(prefixes) > 64:
        raise _policy_error(
            where,
            "prefixes",
            "a list of 1..64 message prefixes (e.g. the "
            "exchange's name), without which no proof can be signed",
        )
    for index, prefix in enumerate(prefixes):
        problem = prefix_problem(prefix)
        if problem is not None:
            raise _policy_error(where, f"prefixes[{index}]", problem)
    max_length = table.get("max_length", DEFAULT_MAX_LENGTH)
    if (
        isinstance(max_length, bool)
        or not isinstance(max_length, int)
        or not (1 <= max_length <= MAX_LENGTH_LIMIT)
    ):
        raise _policy_error(where, "max_length", f"an integer 1..{MAX_LENGTH_LIMIT} (characters)")
    return ProofRules(tuple(prefixes), max_length)


def prefix_problem(prefix: object) -> str | None:
    """What a policy's message prefix should be, when it is not that; None when it is."""
    if (
        not isinstance(prefix, str)
        or not prefix.strip()
        or len(prefix) > MAX_PREFIX_CHARS
        or _text_findings(prefix)
    ):
        return (f"a non-blank printable string of at most {MAX_PREFIX_CHARS} characters "
                "(no control or bidi characters)")
    return None


def _describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"


def _text_findings(message: str) -> list[Finding]:
    """Characters that do not belong in a statement a person reads and signs."""
    try:
        message.encode("utf-8")
    except UnicodeEncodeError:
        return [
            Finding(
                "proof_message_not_utf8",
                "the message is not valid UTF-8 text (it holds a "
                "lone surrogate); it cannot be shown or hashed as the reader sees it",
            )
        ]
    found: list[Finding] = []
    kinds: dict[str, str] = {}
    for char in message:
        category = unicodedata.category(char)
        if char in BIDI:
            kinds.setdefault("proof_message_bidi", _describe(char))
        elif category == "Cc":
            kinds.setdefault("proof_message_control", _describe(char))
        elif category == "Cf":
            kinds.setdefault("proof_message_invisible", _describe(char))
        elif char == "\ufffd" or not char.isprintable():
            kinds.setdefault("proof_message_unprintable", _describe(char))
    words = {
        "proof_message_bidi": "a bidirectional override or mark, which reorders what is shown",
        "proof_message_control": "a control character (line breaks included: a proof message "
        "is one line)",
        "proof_message_invisible": "an invisible format character",
        "proof_message_unprintable": "a character that does not print as itself (unassigned, "
        "private use, replacement or a non-ASCII space or separator)",
    }
    for code, first in kinds.items():
        found.append(Finding(code, f"the message holds {words[code]}: first {first}"))
    if unicodedata.normalize("NFC", message) != message:
        found.append(
            Finding(
                "proof_message_not_nfc",
                "the message is not in Unicode NFC form: the "
                "same-looking text typed again would hash differently",
            )
        )
    return found


def _json_value(text: str) -> object:
    start, end = text.find("{"), text.rfind("}")
    for candidate in (text, text[start : end + 1] if 0 <= start < end else ""):
        try:
            return json.loads(candidate)
        except (ValueError, RecursionError):
            continue
    return None


def _structure_findings(message: str, body: str) -> list[Finding]:
    """Typed data, permits, orders, transactions and JSON in any shape."""
    found: list[Finding] = []
    value = _json_value(body)
    keys = set(value) if isinstance(value, dict) else set()
    word = _STRUCTURED_WORDS.search(message)
    if keys & {"types", "domain", "primaryType", "message"} or word:
        what = f"'{word[0]}'" if word else "typed-data keys " + ", ".join(sorted(keys))
        found.append(
            Finding(
                "proof_message_typed_data",
                f"the message resembles EIP-712 typed data, a "
                f"permit, an order or a transaction ({what}); it is not signed as a proof",
            )
        )
    elif isinstance(value, (dict, list)) or "{" in message or _JSON_KEY.search(message):
        found.append(
            Finding(
                "proof_message_json",
                'the message holds JSON or structured data (braces or "key": pairs); a '
                "proof message is a plain sentence",
            )
        )
    return found


def _hex_findings(message: str, body: str) -> list[Finding]:
    """A hash or blob passed off as a message: a signature over it could stand for it."""
    for text in (message.strip(_TRIM), body.strip(_TRIM)):
        if _HEX32.fullmatch(text):
            return [
                Finding(
                    "proof_message_hash",
                    "the message is a 32-byte hex value (a hash): "
                    "signing it could authorise whatever that hash stands for",
                )
            ]
        if _HEX_BLOB.fullmatch(text):
            return [
                Finding(
                    "proof_message_binary",
                    f"the message is {len(text)} characters of hex data, not a statement",
                )
            ]
    if _LONG_HEX_RUN.search(message):
        return [
            Finding(
                "proof_message_binary",
                "the message embeds hex data longer than 32 bytes "
                "(calldata, RLP or a signature?); one 32-byte hash in a sentence is allowed",
            )
        ]
    if _LONG_TOKEN.search(message):
        return [
            Finding(
                "proof_message_binary",
                "the message embeds a blob of more than 80 letters "
                "and digits (base64 or similar), not words",
            )
        ]
    return []


def _matched_prefix(message: str, rules: ProofRules) -> str | None:
    return next((p for p in rules.prefixes if message.startswith(p)), None)


def message_findings(message: str, rules: ProofRules) -> list[Finding]:
    """Every reason not to sign ``message`` as a proof; empty when it is a plain statement."""
    if not message.strip():
        return [Finding("proof_message_empty", "the message is empty or blank")]
    found = _text_findings(message)
    if len(message) > rules.max_length:
        found.append(
            Finding(
                "proof_message_too_long",
                f"the message has {len(message)} characters; "
                f"the policy allows at most {rules.max_length}",
            )
        )
    prefix = _matched_prefix(message, rules)
    if prefix is None:
        allowed = " or ".join(repr(p) for p in rules.prefixes)
        found.append(
            Finding(
                "proof_message_prefix",
                f"the message does not begin with a prefix the "
                f"policy sets ({allowed}); it begins {message[:40]!r}",
            )
        )
    body = message[len(prefix) :] if prefix else message
    found += _hex_findings(message, body)
    found += _structure_findings(message, body)
    return found


def request_mismatch_findings(
    message: str, envelope_request_message: object
) -> list[Finding]:
    """The message to sign must be exactly the one the envelope's request names."""
    if not isinstance(envelope_request_message, str):
        return [
            Finding(
                "proof_message_mismatch",
                "the envelope's request names no message text; the "
                "proof message cannot be checked against it",
            )
        ]
    if envelope_request_message == message:
        return []
    at = next(
        (
            i
            for i, (a, b) in enumerate(zip(message, envelope_request_message, strict=False))
            if a != b
        ),
        min(len(message), len(envelope_request_message)),
    )
    return [
        Finding(
            "proof_message_mismatch",
            f"the message differs from the envelope's request at "
            f"character {at} (lengths {len(message)} and {len(envelope_request_message)}); "
            f"the request says {envelope_request_message[max(0, at - 10) : at + 30]!r} there",
        )
    ]
