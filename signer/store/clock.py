"""Time comes from one injectable clock so tests never sleep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC, second precision, ``Z`` suffix: what operators read and journals store."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
