"""Durations as operators write them: "90s", "10m", "1h", "24h", "7d"."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"([1-9][0-9]{0,5})([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_LONGEST = timedelta(days=3660)

DURATION_EXPECTED = 'a duration string like "90s", "10m", "1h", "24h" or "7d" (at most 3660d)'


def parse_duration(value: object) -> timedelta:
    """Parse a duration string; raise ValueError naming the expected shape."""
    if not isinstance(value, str):
        raise ValueError(DURATION_EXPECTED)
    match = _DURATION.fullmatch(value)
    if match is None:
        raise ValueError(DURATION_EXPECTED)
    duration = timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]])
    if duration > _LONGEST:
        raise ValueError(DURATION_EXPECTED)
    return duration


def format_duration(duration: timedelta) -> str:
    """The shortest exact operator form of a duration ("3600s" -> "1h")."""
    seconds = int(duration.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"
