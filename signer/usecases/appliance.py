"""The opened appliance: home, state, clock and (lazily) the HSM gateway."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from signer.store import journal, registry
from signer.store.clock import Clock, system_clock
from signer.store.db import transaction
from signer.store.home import HOLDER_IDS, Home, checked_holder, create_home, open_home

if TYPE_CHECKING:  # PKCS#11 loads on first use: listing drafts never touches a token
    from signer.hsm.gateway import Gateway


class Appliance:
    """Everything a command needs; both the CLI and the TUI build one."""

    def __init__(self, home: Home, clock: Clock = system_clock) -> None:
        self.home = home
        self.clock = clock
        self._gateway: Gateway | None = None

    @classmethod
    def open(cls, path: Path, clock: Clock = system_clock) -> Appliance:
        return cls(open_home(path), clock)

    @classmethod
    def create(cls, path: Path, module: str, clock: Clock = system_clock) -> Appliance:
        appliance = cls(create_home(path, module), clock)
        appliance.record("home_created", "operator", {"module": module})
        return appliance

    @property
    def conn(self) -> Any:
        return self.home.conn

    @property
    def gateway(self) -> Gateway:
        if self._gateway is None:
            from signer.hsm.gateway import Gateway

            self._gateway = Gateway(self.home.config.module)
        return self._gateway

    def token_label(self, holder: str) -> str:
        """The holder's token: the registered assignment, else appliance.toml's default."""
        holder = checked_holder(holder)
        return registry.current_token(self.conn, holder) or self.home.config.holders[holder]

    def holder_tokens(self) -> dict[str, str]:
        return {holder: self.token_label(holder) for holder in HOLDER_IDS}

    def record(self, kind: str, actor: str, data: dict[str, Any]) -> journal.Entry:
        """Journal an event that has no state change of its own (in its own transaction)."""
        with transaction(self.conn):
            return journal.append(self.conn, kind, actor, data, self.clock)

    def close(self) -> None:
        self.home.close()
