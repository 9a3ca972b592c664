"""Nesting depth of JSON text, checked before json.loads sees hostile input.

CPython's JSON decoder recurses per level and can exhaust the C stack when the
recursion limit has been raised, so depth is counted first, outside strings, in
one linear pass (a string that never closes swallows the rest of the text).
"""

from __future__ import annotations

import re

_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def json_depth_exceeds(text: str, limit: int) -> bool:
    """True if arrays/objects nest deeper than ``limit``."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match[0]
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False
