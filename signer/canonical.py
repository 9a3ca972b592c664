"""Canonical JSON: the bytes that hashes and signatures cover."""

from __future__ import annotations

import json
from typing import Any

# One encoder for every call (json.dumps with options builds a new one each time).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8; stable across runs and machines."""
    return _ENCODER.encode(value).encode()
