"""``appliance.toml``: the module, the holders' default tokens and the settings.

Checked by hand rather than with pydantic: every command opens the home, and loading
pydantic alone took longer than the rest of ``airsign drafts`` (docs/formats.md lists the
keys; unknown keys and out-of-range values are ``config_invalid``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

HOLDER_IDS = ("A", "B", "C")

# Each setting: (lowest, highest) for integers (None: no bound); booleans have no range.
_RANGES: dict[str, tuple[int | None, int | None]] = {
    "max_pin_failures": (1, 100),
    "restore_authorizers": (1, 2),
    "drill_stale_days": (1, None),
    "max_import_bytes": (1024, None),
    "max_import_files": (1, None),
}


class ConfigProblem(ValueError):
    """One bad field: its dotted path and what was expected there."""

    def __init__(self, field_path: str, expected: str) -> None:
        super().__init__(expected)
        self.field = field_path
        self.expected = expected


@dataclass(frozen=True)
class Settings:
    """Appliance settings (appliance.toml ``[settings]``); every field documented in docs/."""

    max_pin_failures: int = 5
    restore_authorizers: int = 1
    drill_stale_days: int = 180
    max_import_bytes: int = 1024 * 1024
    max_import_files: int = 1000
    accept_witness_only_inputs: bool = False


def _default_holders() -> dict[str, str]:
    return {"A": "holder-a", "B": "holder-b", "C": "holder-c"}


@dataclass(frozen=True)
class ApplianceConfig:
    module: str
    holders: dict[str, str] = field(default_factory=_default_holders)
    settings: Settings = field(default_factory=Settings)


def _unknown(raw: dict[str, Any], known: set[str], prefix: str) -> None:
    for key in raw:
        if key not in known:
            raise ConfigProblem(prefix + key, "unknown key")


def _settings(raw: Any) -> Settings:
    if not isinstance(raw, dict):
        raise ConfigProblem("settings", "expected a table")
    _unknown(raw, {f.name for f in fields(Settings)}, "settings.")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        where = f"settings.{name}"
        if name == "accept_witness_only_inputs":
            if not isinstance(value, bool):
                raise ConfigProblem(where, "expected true or false")
        else:
            low, high = _RANGES[name]
            # TOML booleans are ints to Python: refuse them as numbers.
            if not isinstance(value, int) or isinstance(value, bool):
                raise ConfigProblem(where, "expected an integer")
            if (low is not None and value < low) or (high is not None and value > high):
                bounds = f"from {low} to {high}" if high is not None else f">= {low}"
                raise ConfigProblem(where, f"expected an integer {bounds}")
        values[name] = value
    return Settings(**values)


def _holders(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or sorted(raw) != list(HOLDER_IDS):
        raise ConfigProblem("holders", "expected exactly the holders A, B and C")
    if not all(isinstance(label, str) for label in raw.values()):
        raise ConfigProblem("holders", "expected token labels (strings)")
    labels = [label.strip() for label in raw.values()]
    if not all(labels) or len(set(labels)) != len(labels):
        raise ConfigProblem("holders", "expected three distinct, non-empty token labels")
    return dict(raw)


def parse_config(raw: dict[str, Any]) -> ApplianceConfig:
    """The config from parsed TOML, or ConfigProblem naming the first bad field."""
    _unknown(raw, {"module", "holders", "settings"}, "")
    module = raw.get("module")
    if module is None:
        raise ConfigProblem("module", "required: the path of the PKCS#11 module")
    if not isinstance(module, str):
        raise ConfigProblem("module", "expected a path (string)")
    holders = _holders(raw["holders"]) if "holders" in raw else _default_holders()
    settings = _settings(raw["settings"]) if "settings" in raw else Settings()
    return ApplianceConfig(module, holders, settings)


def render_config(config: ApplianceConfig) -> str:
    lines = [f"module = {_toml_str(config.module)}", "", "[holders]"]
    lines += [f"{holder} = {_toml_str(label)}" for holder, label in sorted(config.holders.items())]
    lines += ["", "[settings]"]
    for name, value in asdict(config.settings).items():
        rendered = str(value).lower() if isinstance(value, bool) else str(value)
        lines.append(f"{name} = {rendered}")
    return "\n".join(lines) + "\n"


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
