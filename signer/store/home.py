"""The appliance home: ``appliance.toml``, ``state.db`` and a lock file.

One process per home: the lock is an exclusive flock held for the process's life,
so a second process gets a clear error instead of a second writer.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path
from typing import IO

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from signer.errors import BadInput
from signer.store import db
from signer.store.toml_text import parse_toml

CONFIG_NAME = "appliance.toml"
STATE_NAME = "state.db"
LOCK_NAME = "airsign.lock"
HOLDER_IDS = ("A", "B", "C")


def checked_holder(holder: str, where: str = "holder") -> str:
    """``holder`` as one of A, B, C (any case), else BadInput ``unknown_holder``."""
    name = holder.strip().upper()
    if name not in HOLDER_IDS:
        raise BadInput("unknown_holder", f"{where} {holder!r}: expected one of A, B, C")
    return name


class Settings(BaseModel):
    """Appliance settings (appliance.toml ``[settings]``); every field documented in docs/."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_pin_failures: int = Field(5, ge=1, le=100)
    restore_authorizers: int = Field(1, ge=1, le=2)
    drill_stale_days: int = Field(180, ge=1)
    max_import_bytes: int = Field(1024 * 1024, ge=1024)
    max_import_files: int = Field(1000, ge=1)
    accept_witness_only_inputs: bool = False


class ApplianceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str
    holders: dict[str, str] = Field(
        default_factory=lambda: {"A": "holder-a", "B": "holder-b", "C": "holder-c"}
    )
    settings: Settings = Settings()

    @field_validator("holders")
    @classmethod
    def _three_holders(cls, holders: dict[str, str]) -> dict[str, str]:
        if sorted(holders) != list(HOLDER_IDS):
            raise ValueError("expected exactly the holders A, B and C")
        labels = [label.strip() for label in holders.values()]
        if not all(labels) or len(set(labels)) != len(labels):
            raise ValueError("expected three distinct, non-empty token labels")
        return holders


def default_home() -> Path:
    """$AIRSIGN_HOME, else the per-user data directory."""
    configured = os.environ.get("AIRSIGN_HOME")
    return Path(configured) if configured else Path(platformdirs.user_data_dir("airsign"))


def render_config(config: ApplianceConfig) -> str:
    lines = [f"module = {_toml_str(config.module)}", "", "[holders]"]
    lines += [f"{holder} = {_toml_str(label)}" for holder, label in sorted(config.holders.items())]
    lines += ["", "[settings]"]
    for name, value in config.settings.model_dump().items():
        rendered = str(value).lower() if isinstance(value, bool) else str(value)
        lines.append(f"{name} = {rendered}")
    return "\n".join(lines) + "\n"


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Home:
    """An opened, locked home directory."""

    def __init__(self, path: Path, lock: IO[str], config: ApplianceConfig) -> None:
        self.path = path
        self._lock = lock
        self.config = config
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = db.connect(self.path / STATE_NAME)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._lock.close()


def _take_lock(path: Path) -> IO[str]:
    lock_path = path / LOCK_NAME
    handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the process's life
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise BadInput(
            "home_locked",
            f"home {path} is in use by another airsign process (lock {lock_path} held by "
            f"pid {holder}); close it first",
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def load_config(path: Path) -> ApplianceConfig:
    config_path = path / CONFIG_NAME
    try:
        text = config_path.read_text()
    except FileNotFoundError:
        raise BadInput(
            "home_missing",
            f"{path} is not an airsign home (no {CONFIG_NAME}): run 'airsign init --module PATH'",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput("config_invalid", f"{config_path}: cannot read it as text ({exc})") from None
    raw = parse_toml(text, str(config_path), "config_invalid")
    try:
        return ApplianceConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise BadInput(
            "config_invalid", f"{config_path}: field '{field}': {first['msg']}"
        ) from None


def open_home(path: Path) -> Home:
    """Lock and open an existing home."""
    if not (path / CONFIG_NAME).is_file():
        load_config(path)  # raises the home_missing error
    lock = _take_lock(path)
    try:
        config = load_config(path)
        home = Home(path, lock, config)
        home.conn  # noqa: B018 - open and migrate now, under the lock
    except BaseException:
        lock.close()
        raise
    return home


def create_home(path: Path, module: str, holders: dict[str, str] | None = None) -> Home:
    """Create a new home bound to a PKCS#11 module; an existing home is never overwritten."""
    if (path / CONFIG_NAME).exists():
        raise BadInput("home_exists", f"{path} already holds an airsign home; not overwriting it")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    config = ApplianceConfig(module=module)
    if holders:
        config = config.model_copy(update={"holders": holders})
    lock = _take_lock(path)
    try:
        fd = os.open(path / CONFIG_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(render_config(config))
            out.flush()
            os.fsync(out.fileno())
        home = Home(path, lock, config)
        home.conn  # noqa: B018
    except BaseException:
        lock.close()
        raise
    return home
