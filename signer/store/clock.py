"""Time comes from one injectable clock so tests never sleep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC, second precision, ``Z`` suffix: what operators read and journals store."""
    t = moment.astimezone(UTC)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


# The risk tables (migration 3) keep times as integer microseconds since the Unix epoch
# (UTC): exact, and ordered the way their indexes are.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def to_micros(moment: datetime) -> int:
    """Integer microseconds since the epoch; naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return (moment - _EPOCH) // _MICRO


def from_micros(micros: int) -> datetime:
    return _EPOCH + micros * _MICRO
