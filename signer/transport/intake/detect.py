"""What a piece of bytes is, judged by its content only (never by a file name)."""

from __future__ import annotations

import base64
import binascii
import re
from enum import Enum

from signer.errors import BadInput
from signer.transport.envelope import (
    DRAFT_FORMAT,
    ENVELOPE_FORMAT,
    MAX_DRAFT_DEPTH,
    strict_json,
)

PSBT_MAGIC = b"psbt\xff"
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
_BOM = b"\xef\xbb\xbf"
_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/=\s]+")
_UR_START = re.compile(rb"\s*[uU][rR]:")
PROOF_REQUEST_TYPE = "proof-of-reserves"  # the "type" of a proof of reserves request file


class Kind(Enum):
    PSBT = "binary PSBT"
    PSBT_BASE64 = "base64 PSBT text"
    ENVELOPE = "airsign-envelope JSON"
    PLAIN_DRAFT = "airsign-draft JSON"
    SAFE_TX = "Safe transaction JSON"
    PROOF_REQUEST = "proof request JSON"
    UR_TEXT = "UR text"
    IMAGE = "PNG, JPEG or GIF image"
    UNKNOWN = "unrecognised"


def without_bom(data: bytes) -> bytes:
    """Text editors on some systems start UTF-8 files with a byte-order mark."""
    return data[len(_BOM):] if data.startswith(_BOM) else data


def detect(data: bytes, source: str) -> Kind:
    """The kind of ``data``; JSON that does not parse strictly raises BadInput ``bad_json``."""
    if data.startswith(PSBT_MAGIC):
        return Kind.PSBT
    if data.startswith(_IMAGE_MAGIC):
        return Kind.IMAGE
    text = without_bom(data).lstrip()
    if text.startswith(b"{"):
        return _json_kind(text, source)
    if _UR_START.match(text):
        return Kind.UR_TEXT
    if _BASE64_TEXT.fullmatch(text) and psbt_from_base64(text) is not None:
        return Kind.PSBT_BASE64
    return Kind.UNKNOWN


def unknown_kind(data: bytes) -> str:
    """How an operator would call data of no known kind: an empty file and a text file
    are not 'binary data' (issue 18)."""
    text = without_bom(data)
    if not text.strip():
        return "empty file" if not text else "empty file (only blank space)"
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        return "binary data"
    if not all(c.isprintable() or c in "\t\r\n" for c in decoded):
        return "binary data"
    if decoded.lstrip().startswith(("{", "[")):
        return "JSON, not a draft"
    return "text, not a draft"


def psbt_from_base64(text: bytes) -> bytes | None:
    """The binary PSBT in base64 text (whitespace ignored), or None if it is not one."""
    try:
        raw = base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if raw.startswith(PSBT_MAGIC) else None


def _json_kind(text: bytes, source: str) -> Kind:
    # The deepest accepted document (draft -> payload -> proof request -> bitcoin ->
    # addresses); each reader then applies its own, tighter rules.
    obj = strict_json(text, source, "JSON", MAX_DRAFT_DEPTH, "bad_json")
    if not isinstance(obj, dict):
        return Kind.UNKNOWN
    form = obj.get("format")
    if form is None and obj.get("type") == PROOF_REQUEST_TYPE:
        return Kind.PROOF_REQUEST
    if form is None:
        return Kind.ENVELOPE if "signature" in obj else Kind.SAFE_TX
    if not isinstance(form, str):
        raise BadInput("bad_json", f"{source}: field 'format': expected a string like "
                       f"\"{ENVELOPE_FORMAT}\"")
    if form.startswith(ENVELOPE_FORMAT.split("/")[0]):
        return Kind.ENVELOPE
    if form.startswith(DRAFT_FORMAT.split("/")[0]):
        return Kind.PLAIN_DRAFT
    return Kind.UNKNOWN
