"""The keys a logged-in holder token holds: found once per session, looked up by CKA_ID.

Every PKCS#11 call runs under the gateway's lock.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import coincurve
import pkcs11
from pkcs11 import Attribute, ObjectClass
from pkcs11 import exceptions as px

from signer.errors import HsmError
from signer.hsm import templates

if TYPE_CHECKING:
    from signer.hsm.gateway import Gateway


@dataclass(frozen=True)
class TokenKey:
    """A private key on the token with its public key (compressed secp256k1 or raw Ed25519)."""

    key_id: bytes
    label: str
    key_type: str  # "secp256k1" | "ed25519"
    public_key: bytes
    handle: Any  # pkcs11 private key object: its type stubs lack sign()


class KeyLookup:
    """One holder's logged-in session and the keys on its token (the base of TokenSession)."""

    def __init__(self, gateway: Gateway, label: str, session: pkcs11.Session) -> None:
        self._gateway = gateway
        self.label = label
        self._session: pkcs11.Session | None = session
        self._keys: dict[bytes, TokenKey] | None = None

    @property
    def session(self) -> pkcs11.Session:
        if self._session is None:
            raise HsmError("logged_out", f"token {self.label!r}: the session has ended")
        return self._session

    def logout(self) -> None:
        with self._gateway.lock:
            if self._session is not None:
                # A pulled token leaves nothing to close.
                with contextlib.suppress(px.PKCS11Error):
                    self._session.close()
                self._session = None
                self._keys = None

    def keys(self) -> dict[bytes, TokenKey]:
        """All private keys by CKA_ID, found once per session and cached.

        SoftHSM rescans every object on each C_FindObjects, so one pass builds the map.
        """
        if self._keys is None:
            with self._gateway.lock:
                publics = {
                    bytes(obj[Attribute.ID]): obj
                    for obj in self.session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY})
                }
                found: dict[bytes, TokenKey] = {}
                for obj in self.session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}):
                    key_id = bytes(obj[Attribute.ID])
                    public = publics.get(key_id)
                    if public is None:
                        continue  # not ours: airsign always stores the public half beside it
                    found[key_id] = self._describe(obj, public)
                self._keys = found
        return self._keys

    @staticmethod
    def _describe(private: Any, public: Any) -> TokenKey:
        params = bytes(public[Attribute.EC_PARAMS])
        point = templates.unwrap_octet_string(bytes(public[Attribute.EC_POINT]))
        if params == templates.ED25519_PARAMS:
            key_type, public_key = "ed25519", point
        else:
            key_type = "secp256k1"
            public_key = coincurve.PublicKey(point).format(compressed=True)
        return TokenKey(
            bytes(private[Attribute.ID]),
            str(private[Attribute.LABEL]),
            key_type,
            public_key,
            private,
        )

    def key(self, key_id: bytes) -> TokenKey:
        found = self.keys().get(key_id)
        if found is None:
            raise HsmError(
                "key_absent", f"token {self.label!r} holds no key with id {key_id.hex()}"
            )
        return found
