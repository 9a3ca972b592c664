"""TOML from operators' files (config, policy, ceremony): every failure is a BadInput."""

from __future__ import annotations

import tomllib
from typing import Any

from signer.errors import BadInput


def parse_toml(text: str, where: str, code: str) -> dict[str, Any]:
    """``text`` parsed, or BadInput ``code`` naming ``where``.

    tomllib recurses per nesting level: a few thousand ``[[[`` exhaust the stack and
    raise RecursionError, which is hostile input like any syntax error.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(code, f"{where}: expected valid TOML: {exc}") from None
    except RecursionError:
        raise BadInput(code, f"{where}: expected valid TOML: nested too deeply") from None
