"""Test support for the risk domain: a TOML writer for policy dicts and an in-memory ledger."""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from embit import bech32

from signer.risk import Policy, load_policy
from signer.risk.verdict import BreakerState, Hold

NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
SAT = Decimal("0.00000001")
MICRO = timedelta(microseconds=1)


def base_document() -> dict[str, Any]:
    """FORMATS.md's example policy, with first_time = allow so rules can be tested alone."""
    return {
        "version": 1,
        "default_delay": "24h",
        "accept_plain_drafts": False,
        "assets": {
            "BTC": {
                "chain": "bitcoin",
                "max_per_draft": "2.5",
                "windows": [
                    {"period": "1h", "max_total": "5", "max_count": 20},
                    {"period": "24h", "max_total": "20", "max_count": 100},
                ],
                "max_fee": "0.005",
                "max_fee_percent": 2.0,
                "max_fee_rate": 500,
            },
            "ETH": {
                "chain": "ethereum",
                "max_per_draft": "50",
                "windows": [{"period": "24h", "max_total": "200", "max_count": 100}],
            },
            "USDT": {
                "chain": "ethereum",
                "contract": "0xdAC17F958D2ee523a2206206994597C13D831ec7",
                "decimals": 6,
                "max_per_draft": "250000",
                "windows": [{"period": "24h", "max_total": "1000000", "max_count": 100}],
            },
        },
        "destinations": {"first_time": "allow"},
        "anomaly": {
            "median_factor": 10,
            "median_window": 50,
            "burst_count": 20,
            "burst_period": "10m",
        },
        "circuit_breaker": {"max_flagged": 5, "period": "1h"},
    }


def set_path(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Copy of ``document`` with ``a.b[1].c`` set to ``value`` (``...`` deletes it)."""
    result = copy.deepcopy(document)
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
    node: Any = result
    for part in parts[:-1]:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    if value is ...:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value
    return result


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def to_toml(document: dict[str, Any], prefix: str = "") -> str:
    """TOML text for a policy-shaped dict (scalars and inline tables first, then sub-tables)."""
    lines = [f"{k} = {_value(v)}" for k, v in document.items() if not isinstance(v, dict)]
    for key, value in document.items():
        if isinstance(value, dict):
            name = f"{prefix}{key}"
            if any(not isinstance(v, dict) for v in value.values()) or not value:
                lines.append(f"\n[{name}]")
            lines.append(to_toml(value, name + "."))
    return "\n".join(lines) + "\n"


def write_policy(
    directory: Path, document: dict[str, Any], files: dict[str, str] | None = None
) -> Path:
    for name, text in (files or {}).items():
        (directory / name).write_text(text)
    path = directory / "policy.toml"
    path.write_text(to_toml(document))
    return path


def make_policy(directory: Path, document: dict[str, Any] | None = None, **files: str) -> Policy:
    return load_policy(write_policy(directory, document or base_document(), files))


def fresh_bitcoin_address(seed: str) -> str:
    """A valid regtest P2WPKH address derived from ``seed`` (embit encodes it)."""
    program = hashlib.sha256(seed.encode()).digest()[:20]
    return bech32.encode("bcrt", 0, program)


def fresh_ethereum_address(seed: str) -> str:
    return "0x" + hashlib.sha256(seed.encode()).hexdigest()[:40]


@dataclass
class MemoryLedger:
    """A deliberately naive Ledger: lists scanned in full, used as the reference model."""

    signed: list[tuple[str, Decimal, datetime, tuple[str, ...]]] = field(default_factory=list)
    imported: dict[str, datetime] = field(default_factory=dict)
    flagged: dict[str, datetime] = field(default_factory=dict)
    tripped_at: datetime | None = None
    last_reset_at: datetime | None = None
    holds: dict[str, Hold] = field(default_factory=dict)

    def sign(self, asset: str, amount: str | Decimal, at: datetime, *to: str) -> None:
        self.signed.append((asset, Decimal(amount), at, to))

    def signed_since(self, asset: str, since: datetime) -> tuple[Decimal, int]:
        rows = [a for s, a, t, _ in self.signed if s == asset and t >= since]
        exact = sum((Fraction(a) for a in rows), Fraction(0))
        # every amount has at most 18 places, so the exact sum is a finite decimal
        return Decimal(f"{exact.numerator * 10**18 // exact.denominator}E-18"), len(rows)

    def recent_signed_amounts(self, asset: str, limit: int) -> list[Decimal]:
        rows = sorted((t, a) for s, a, t, _ in self.signed if s == asset)
        return [a for _, a in reversed(rows)][:limit]

    def ever_signed_to(self, destination: str) -> bool:
        return any(destination in to for *_, to in self.signed)

    def imported_since(self, since: datetime) -> int:
        return sum(1 for t in self.imported.values() if t >= since)

    def flagged_since(self, since: datetime) -> int:
        return sum(1 for t in self.flagged.values() if t >= since)

    def breaker(self) -> BreakerState:
        return BreakerState(self.tripped_at, self.last_reset_at)

    def hold(self, draft_id: str) -> Hold | None:
        return self.holds.get(draft_id)
