"""Vault envelopes (airsign-envelope/1) and draft JSON (airsign-draft/1), read strictly.

Everything here reads hostile bytes: sizes are capped, JSON nesting is measured before
the standard decoder runs, and the envelope signature is verified before the body is
parsed at all. The rules are listed in docs/intake.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from signer.canonical import canonical_json
from signer.errors import BadInput
from signer.jsondepth import json_depth_exceeds
from signer.operator_files import read_small_file
from signer.transport.incoming import DraftFormat, Envelope

ENVELOPE_FORMAT = "airsign-envelope/1"
DRAFT_FORMAT = "airsign-draft/1"
MAX_JSON_BYTES = 8 * 1024 * 1024
MAX_KEY_FILE = 16 * 1024

_ENVELOPE_KEYS = ("format", "key_id", "body", "signature")
_DRAFT_KEYS = ("format", "id", "created_at", "chain", "network", "request", "payload")
_REQUEST_KEYS = ("asset", "amount", "destination", "reference")
_MESSAGE_REQUEST_KEYS = ("message", "reference")
_MAX_REQUEST_MESSAGE = 4096  # characters; the kind's screening judges the text itself
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)
_DRAFT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}", re.ASCII)
_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?(Z|\+00:00)"
)
_CHAIN_ID = re.compile(r"[1-9][0-9]{0,19}")
_ASSET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,39})(\.[0-9]{1,36})?")
_DESTINATION = re.compile(r"[!-~]{1,128}")
_MAX_REFERENCE = 256
# A draft nests at most 3 levels outside its payload (draft -> request -> value); the
# payload may nest as deep as its kind's own format allows (a proof request: request ->
# bitcoin -> addresses), which that kind's parser checks again.
DRAFT_DEPTH = 3
MAX_DRAFT_DEPTH = 5  # draft -> payload -> proof request -> bitcoin -> addresses
# One token per string (an unterminated one runs to the end) or bracket: linear time.
def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        keys = [k for k, _ in pairs]
        raise ValueError(f"duplicate key '{_quoted(next(k for k in keys if keys.count(k) > 1))}'")
    return obj


def _no_lone_surrogates(value: Any) -> None:
    # "\ud800" is legal JSON escape syntax but no character: it cannot be encoded again.
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a \\uD800-\\uDFFF escape that is not part of a valid pair") from None


def _quoted(name: str) -> str:
    """A hostile key name as printable ASCII for a message."""
    return json.dumps(name[:64])[1:-1]


def _refuse_number(text: str) -> Any:
    raise ValueError(f"non-integer number {text[:32]} (NaN, Infinity and fractions are refused)")


def strict_json(raw: bytes, source: str, what: str, max_depth: int, code: str) -> Any:
    """UTF-8 JSON without duplicate keys, NaN/Infinity, fractions or deeper nesting."""
    if len(raw) > MAX_JSON_BYTES:
        raise BadInput(code, f"{source}: {what}: {len(raw)} bytes, limit {MAX_JSON_BYTES}")
    try:
        text = raw.decode("utf-8")
        if json_depth_exceeds(text, max_depth):
            raise ValueError(f"arrays or objects nested deeper than {max_depth}")
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_refuse_number,
            parse_float=_refuse_number,
        )
        _no_lone_surrogates(value)
        return value
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError too
        raise BadInput(code, f"{source}: {what}: not strict JSON: {str(exc)[:200]}") from None


def strict_b64(value: object, source: str, field: str, code: str) -> bytes:
    """Standard base64 with padding, no whitespace, canonical (unused bits zero)."""
    if isinstance(value, str) and value.isascii():
        try:
            raw = base64.b64decode(value, validate=True)
            if base64.b64encode(raw).decode("ascii") == value:
                return raw
        except (binascii.Error, ValueError):
            pass
    raise BadInput(code, f"{source}: field '{field}': expected canonical standard base64 text")


def _exact_keys(
    obj: object, keys: tuple[str, ...], source: str, field: str, code: str
) -> dict[str, Any]:
    """``obj`` as an object with exactly ``keys``; ``field`` is "" at the top level."""
    if not isinstance(obj, dict):
        raise BadInput(code, f"{source}: field '{field or '(top level)'}': expected a JSON object")
    prefix = f"{field}." if field else ""
    extra = [k for k in obj if k not in keys]
    if extra:
        raise BadInput(code, f"{source}: field '{prefix}{_quoted(extra[0])}': not allowed; "
                             f"expected exactly {', '.join(keys)}")
    missing = [k for k in keys if k not in obj]
    if missing:
        raise BadInput(code, f"{source}: field '{prefix}{missing[0]}': required but missing")
    return obj


def _text(obj: dict[str, Any], key: str, pattern: re.Pattern[str], expected: str,
          source: str, field: str, code: str) -> str:
    value = obj[key]
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise BadInput(code, f"{source}: field '{field}': expected {expected}")
    return value


def _check_time(draft: dict[str, Any], source: str, code: str) -> None:
    value = draft["created_at"]
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    try:
        if match is None:
            raise ValueError
        year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise BadInput(code, f"{source}: field 'created_at': expected an RFC 3339 UTC time "
                             "like 2026-11-22T10:00:00Z") from None


def _check_request(request: object, form: DraftFormat, source: str, code: str) -> None:
    if form.request_shape == "message":
        _check_message_request(request, source, code)
        return
    request = _exact_keys(request, _REQUEST_KEYS, source, "request", code)
    _text(request, "asset", _ASSET, "an asset symbol like BTC or USDT", source, "request.asset",
          code)
    _text(request, "amount", _AMOUNT, "a decimal string like 0.015 (no sign or exponent)",
          source, "request.amount", code)
    _text(request, "destination", _DESTINATION, "1-128 printable ASCII characters",
          source, "request.destination", code)
    _check_reference(request, source, code)


def _check_reference(request: dict[str, Any], source: str, code: str) -> None:
    reference = request["reference"]
    if not (isinstance(reference, str) and len(reference) <= _MAX_REFERENCE
            and reference.isprintable()):
        raise BadInput(code, f"{source}: field 'request.reference': expected text of at most "
                             f"{_MAX_REFERENCE} printable characters")


def _check_message_request(request: object, source: str, code: str) -> None:
    """A statement to sign (a proof of reserves): the message is only bounded here; the
    kind compares it with what it decoded, and its screening judges every character."""
    request = _exact_keys(request, _MESSAGE_REQUEST_KEYS, source, "request", code)
    message = request["message"]
    if not isinstance(message, str) or not 1 <= len(message) <= _MAX_REQUEST_MESSAGE:
        raise BadInput(code, f"{source}: field 'request.message': expected text of 1 to "
                             f"{_MAX_REQUEST_MESSAGE} characters")
    _check_reference(request, source, code)


def _check_payload(draft: dict[str, Any], form: DraftFormat, source: str, code: str) -> None:
    key = form.envelope_key
    payload = _exact_keys(draft["payload"], (key,), source, "payload", code)
    if form.envelope_encoding == "base64":
        if not strict_b64(payload[key], source, f"payload.{key}", code):
            raise BadInput(code, f"{source}: field 'payload.{key}': expected a non-empty "
                           f"{form.envelope_what}")
    elif not isinstance(payload[key], dict):
        raise BadInput(code, f"{source}: field 'payload.{key}': expected a JSON object")


def envelope_payload(draft: dict[str, Any], form: DraftFormat) -> bytes:
    """The payload bytes of a checked draft: base64 decoded, or a JSON object canonical."""
    value = draft["payload"][form.envelope_key]
    if form.envelope_encoding == "base64":
        return base64.b64decode(value)
    return canonical_json(value)


def draft_json(raw: bytes, source: str, code: str) -> Any:
    """A draft document's strict JSON: its payload as deep as a kind's format may be, the
    rest of it at most DRAFT_DEPTH levels."""
    value = strict_json(raw, source, "draft", MAX_DRAFT_DEPTH, code)
    outside = ({key: item for key, item in value.items() if key != "payload"}
               if isinstance(value, dict) else value)
    if json_depth_exceeds(json.dumps(outside), DRAFT_DEPTH):
        raise BadInput(code, f"{source}: draft: not strict JSON: arrays or objects nested "
                       f"deeper than {DRAFT_DEPTH}")
    return value


def check_draft(
    draft: object, source: str, code: str, formats: Sequence[DraftFormat]
) -> dict[str, Any]:
    """Validate a decoded airsign-draft/1 object; every error names the field."""
    draft = _exact_keys(draft, _DRAFT_KEYS, source, "", code)
    if draft["format"] != DRAFT_FORMAT:
        raise BadInput(code, f"{source}: field 'format': expected \"{DRAFT_FORMAT}\"")
    _text(draft, "id", _DRAFT_ID, "1-64 letters, digits, '.', '_', ':' or '-'", source, "id", code)
    _check_time(draft, source, code)
    form = next((f for f in formats if f.name == draft["chain"]), None)
    if form is None:
        names = " or ".join(f'"{f.name}"' for f in formats)
        raise BadInput(code, f"{source}: field 'chain': expected {names}")
    problem = form.network_problem(draft["network"])
    if problem is not None:
        raise BadInput(code, f"{source}: field 'network': {problem}")
    _check_request(draft["request"], form, source, code)
    _check_payload(draft, form, source, code)
    return draft


def parse_plain_draft(raw: bytes, source: str, formats: Sequence[DraftFormat]) -> dict[str, Any]:
    """An un-enveloped airsign-draft/1 JSON file; malformed -> ``bad_draft``."""
    return check_draft(draft_json(raw, source, "bad_draft"), source, "bad_draft", formats)


def open_envelope(
    raw: bytes, source: str, vault_keys: dict[str, bytes], formats: Sequence[DraftFormat]
) -> Envelope:
    """Check the envelope, verify its Ed25519 signature, then validate the signed draft."""
    outer = strict_json(raw, source, "envelope", 1, "bad_envelope")
    outer = _exact_keys(outer, _ENVELOPE_KEYS, source, "", "bad_envelope")
    if outer["format"] != ENVELOPE_FORMAT:
        raise BadInput("bad_envelope", f"{source}: field 'format': expected \"{ENVELOPE_FORMAT}\"")
    key_id = _text(outer, "key_id", KEY_ID, "1-64 letters, digits, - or _", source, "key_id",
                   "bad_envelope")
    body = strict_b64(outer["body"], source, "body", "bad_envelope")
    signature = strict_b64(outer["signature"], source, "signature", "bad_envelope")
    if key_id not in vault_keys:
        raise BadInput("unknown_vault_key", f"{source}: key_id '{key_id}' is not a registered "
                       "vault key (see 'vault-key add')")
    try:
        Ed25519PublicKey.from_public_bytes(vault_keys[key_id]).verify(signature, body)
    except (InvalidSignature, ValueError):
        raise BadInput("bad_envelope_signature", f"{source}: the signature does not verify "
                       f"with vault key '{key_id}'; the envelope was altered or forged") from None
    where = f"{source} (signed body)"
    draft = check_draft(draft_json(body, where, "bad_draft_body"), where, "bad_draft_body",
                        formats)
    return Envelope(key_id, hashlib.sha256(body).hexdigest(), draft)


def seal(draft_json_bytes: bytes, private_key: Ed25519PrivateKey, key_id: str) -> bytes:
    """The envelope JSON (one line) signing exactly ``draft_json_bytes`` (not checked here)."""
    if not KEY_ID.fullmatch(key_id):
        raise BadInput("bad_key_id", f"key id {key_id[:80]!r}: expected 1-64 letters, digits, "
                                     "- or _")
    envelope = {
        "format": ENVELOPE_FORMAT,
        "key_id": key_id,
        "body": base64.b64encode(draft_json_bytes).decode("ascii"),
        "signature": base64.b64encode(private_key.sign(draft_json_bytes)).decode("ascii"),
    }
    return (json.dumps(envelope) + "\n").encode("ascii")


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """An unencrypted Ed25519 private key in PEM (PKCS#8)."""
    data = read_small_file(path, MAX_KEY_FILE, "bad_signing_key", "signing key")
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise BadInput("bad_signing_key", f"{path}: expected an unencrypted Ed25519 private "
                                          "key in PEM") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadInput("bad_signing_key", f"{path}: expected an Ed25519 private key, got "
                                          f"{type(key).__name__}")
    return key
