"""The one door to a PKCS#11 module: every call goes through one lock.

python-pkcs11 calls C_Initialize(NULL), so SoftHSM turns its own locking off and
concurrent sessions from threads crash the process. The gateway owns the module
and serialises every call on a single re-entrant lock; Textual workers and CLI
commands talk to the gateway, never to pkcs11.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pkcs11
from pkcs11 import TokenFlag
from pkcs11 import exceptions as px

from signer.errors import HsmError
from signer.hsm.cleanup import close_all_sessions
from signer.hsm.function_list import EcdsaCall
from signer.hsm.token import TokenSession

T = TypeVar("T")


@dataclass(frozen=True)
class TokenInfo:
    """What `airsign tokens` shows of one slot."""

    slot_id: int
    label: str
    serial: str
    manufacturer: str
    model: str
    initialized: bool
    user_pin_initialized: bool
    login_required: bool


class Gateway:
    """A loaded PKCS#11 module with all calls serialised."""

    def __init__(self, module_path: str | Path) -> None:
        self.module_path = str(module_path)
        if not Path(self.module_path).is_file():
            raise HsmError(
                "module_not_found",
                f"PKCS#11 module {self.module_path} not found: check 'module' in appliance.toml "
                "or install the HSM vendor's library (SoftHSM: apt-get install softhsm2)",
            )
        self.lock = threading.RLock()
        try:
            self._lib = pkcs11.lib(self.module_path)
            self.ecdsa = EcdsaCall(self.module_path)
        except (OSError, px.PKCS11Error, RuntimeError) as exc:
            raise HsmError(
                "module_unloadable", f"cannot load PKCS#11 module {self.module_path}: {exc}"
            ) from None

    def rescan(self) -> None:
        """Re-initialise the module so tokens created after it loaded become visible.

        Finalizing closes every open session, so callers must have none open.
        """
        with self.lock:
            self._lib.reinitialize()

    def tokens(self) -> list[TokenInfo]:
        """Every slot that holds a token."""
        with self.lock:
            found = []
            for slot in self._lib.get_slots(token_present=True):
                token = slot.get_token()
                flags = token.flags
                found.append(
                    TokenInfo(
                        slot_id=slot.slot_id,
                        label=token.label,
                        serial=token.serial.decode(errors="replace").strip()
                        if isinstance(token.serial, bytes)
                        else str(token.serial).strip(),
                        manufacturer=token.manufacturer_id,
                        model=token.model,
                        initialized=bool(flags & TokenFlag.TOKEN_INITIALIZED),
                        user_pin_initialized=bool(flags & TokenFlag.USER_PIN_INITIALIZED),
                        login_required=bool(flags & TokenFlag.LOGIN_REQUIRED),
                    )
                )
            return found

    def _token(self, label: str) -> pkcs11.Token:
        try:
            return self._lib.get_token(token_label=label)
        except px.NoSuchToken:
            raise HsmError(
                "token_absent", f"token {label!r} is not present: insert it and try again"
            ) from None
        except px.MultipleTokensReturned:
            raise HsmError(
                "token_ambiguous",
                f"more than one token is labelled {label!r}: remove the extra one",
            ) from None

    def login(self, label: str, pin: str) -> TokenSession:
        """Open a read-write session on the token ``label`` and log the user in."""
        with self.lock:
            token = self._token(label)
            try:
                session = token.open(rw=True, user_pin=pin)
            except (px.PinIncorrect, px.PinLenRange, px.PinInvalid):
                self._drop_leaked_session(token)
                raise HsmError("wrong_pin", f"wrong PIN for token {label!r}") from None
            except px.PinLocked:
                self._drop_leaked_session(token)
                raise HsmError("pin_locked", f"the token {label!r} has locked its PIN") from None
            except px.UserAlreadyLoggedIn:
                raise HsmError(
                    "already_logged_in", f"token {label!r} already has a logged-in session"
                ) from None
            except px.PKCS11Error as exc:
                self._drop_leaked_session(token)
                raise HsmError(
                    "login_failed", f"login to token {label!r} failed: {type(exc).__name__}"
                ) from None
            return TokenSession(self, label, session)

    def _drop_leaked_session(self, token: pkcs11.Token) -> None:
        close_all_sessions(self.module_path, token.slot.slot_id)

    @contextmanager
    def holder(self, label: str, pin: str) -> Iterator[TokenSession]:
        """``with gateway.holder(label, pin) as token:`` logs out on exit."""
        session = self.login(label, pin)
        try:
            yield session
        finally:
            session.logout()

    def random(self, label: str, length: int) -> bytes:
        """``length`` bytes from the token's C_GenerateRandom (no login needed)."""
        with self.lock:
            token = self._token(label)
            try:
                with token.open() as session:
                    return bytes(session.generate_random(length * 8))
            except px.PKCS11Error as exc:
                raise HsmError(
                    "random_failed", f"token {label!r} could not generate random bytes: {exc!r}"
                ) from None

