"""The appliance home: ``appliance.toml``, ``state.db`` and a lock file.

One process per home: the lock is an exclusive flock held for the process's life,
so a second process gets a clear error instead of a second writer (home_lock.py).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from pathlib import Path

from signer.errors import BadInput
from signer.store import db
from signer.store.appliance_config import (
    HOLDER_IDS,
    ApplianceConfig,
    ConfigProblem,
    Settings,
    parse_config,
    render_config,
)
from signer.store.home_lock import LOCK_NAME, HomeLock, take_lock
from signer.store.toml_text import parse_toml

__all__ = ["HOLDER_IDS", "LOCK_NAME", "ApplianceConfig", "Settings", "render_config"]

CONFIG_NAME = "appliance.toml"
STATE_NAME = "state.db"


def checked_holder(holder: str, where: str = "holder") -> str:
    """``holder`` as one of A, B, C (any case), else BadInput ``unknown_holder``."""
    name = holder.strip().upper()
    if name not in HOLDER_IDS:
        raise BadInput("unknown_holder", f"{where} {holder!r}: expected one of A, B, C")
    return name


def default_home() -> Path:
    """$AIRSIGN_HOME, else the per-user data directory."""
    configured = os.environ.get("AIRSIGN_HOME")
    if configured:
        return Path(configured)
    import platformdirs  # only when there is no $AIRSIGN_HOME (start-up time)

    return Path(platformdirs.user_data_dir("airsign"))


class Home:
    """An opened, locked home directory."""

    def __init__(self, path: Path, lock: HomeLock, config: ApplianceConfig) -> None:
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
        self._lock.release()

    def stale_lock_notice(self) -> str | None:
        """'stale lock from pid N (no longer running) was cleared', when that happened."""
        return self._lock.stale_notice()


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
        return parse_config(raw)
    except ConfigProblem as problem:
        raise BadInput(
            "config_invalid", f"{config_path}: field '{problem.field}': {problem.expected}"
        ) from None


def open_home(path: Path) -> Home:
    """Lock and open an existing home."""
    if not (path / CONFIG_NAME).is_file():
        load_config(path)  # raises the home_missing error
    lock = take_lock(path)
    try:
        config = load_config(path)
        home = Home(path, lock, config)
        home.conn  # noqa: B018 - open and migrate now, under the lock
    except BaseException:
        lock.release()
        raise
    return home


def create_home(path: Path, module: str, holders: dict[str, str] | None = None) -> Home:
    """Create a new home bound to a PKCS#11 module; an existing home is never overwritten."""
    if (path / CONFIG_NAME).exists():
        raise BadInput("home_exists", f"{path} already holds an airsign home; not overwriting it")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    config = ApplianceConfig(module=module)
    if holders:
        config = replace(config, holders=holders)
    lock = take_lock(path)
    try:
        fd = os.open(path / CONFIG_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(render_config(config))
            out.flush()
            os.fsync(out.fileno())
        home = Home(path, lock, config)
        home.conn  # noqa: B018
    except BaseException:
        lock.release()
        raise
    return home
