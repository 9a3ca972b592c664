"""A logged-in holder token: key lookup (cached), import, generation and signing.

Every PKCS#11 call runs under the gateway's lock. Signatures never leave this
module unverified: each is checked in software against the expected public key.
"""

from __future__ import annotations

import contextlib
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import coincurve
import pkcs11
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11 import exceptions as px

from signer.errors import HsmError
from signer.hsm import templates
from signer.hsm.ecdsa import EcdsaSignature, SignatureInvalid, verified_signature
from signer.hsm.function_list import rv_name
from signer.hsm.key_ids import secp256k1_key_id

if TYPE_CHECKING:
    from signer.hsm.gateway import Gateway


VERIFY_CHUNK = 32  # signatures handed to the verifier thread at once


@dataclass(frozen=True)
class TokenKey:
    """A private key on the token with its public key (compressed secp256k1 or raw Ed25519)."""

    key_id: bytes
    label: str
    key_type: str  # "secp256k1" | "ed25519"
    public_key: bytes
    handle: Any  # pkcs11 private key object: its type stubs lack sign()


@dataclass(frozen=True)
class Unverified:
    """A token's raw signature, not verified yet: verified() is the only way to use it."""

    token: str
    _raw: bytes
    digest: bytes
    public_key: bytes

    def verified(self) -> EcdsaSignature:
        """Low S, then verified against the public key the caller expected."""
        try:
            return verified_signature(self._raw, self.digest, self.public_key)
        except SignatureInvalid as exc:
            raise HsmError("signature_invalid", f"token {self.token!r}: {exc}") from None


class TokenSession:
    """One holder's logged-in session."""

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

    # -- lookup --------------------------------------------------------------

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

    # -- creating keys ---------------------------------------------------------

    def import_secp256k1(self, secret: bytes | bytearray, label: str) -> TokenKey:
        """Import a 32-byte private scalar as a non-extractable signing key.

        The key is proven before returning: it signs a fresh digest that is verified
        against the public key computed in software from the same scalar.
        """
        if len(secret) != 32:
            raise HsmError("bad_key", "a secp256k1 private key is 32 bytes")
        public_key = coincurve.PrivateKey(bytes(secret)).public_key.format(compressed=True)
        key_id = secp256k1_key_id(public_key)
        uncompressed = coincurve.PublicKey(public_key).format(compressed=False)
        private_template = templates.private_key(
            KeyType.EC, templates.SECP256K1_PARAMS, label, key_id
        )
        private_template[Attribute.VALUE] = bytes(secret)
        public_template = templates.public_key(
            KeyType.EC, templates.SECP256K1_PARAMS, label, key_id
        )
        public_template[Attribute.EC_POINT] = templates.der_octet_string(uncompressed)
        with self._gateway.lock:
            self._refuse_duplicate(key_id, label)
            try:
                self.session.create_object(public_template)
                handle = self.session.create_object(private_template)
            except px.PKCS11Error as exc:
                raise HsmError(
                    "import_failed", f"token {self.label!r} refused key {label}: {exc!r}"
                ) from None
            # Extend the cache rather than rescanning every object after each import.
            self.keys()[key_id] = TokenKey(key_id, label, "secp256k1", public_key, handle)
        self.prove(key_id, public_key)
        return self.key(key_id)

    def generate(self, key_type: str, label: str) -> TokenKey:
        """Generate a key pair inside the token (``secp256k1`` or ``ed25519``)."""
        if key_type == "secp256k1":
            kind, params, mechanism = (
                KeyType.EC,
                templates.SECP256K1_PARAMS,
                Mechanism.EC_KEY_PAIR_GEN,
            )
        elif key_type == "ed25519":
            kind, params = KeyType.EC_EDWARDS, templates.ED25519_PARAMS
            mechanism = Mechanism.EC_EDWARDS_KEY_PAIR_GEN
        else:
            raise HsmError("bad_key", f"unknown key type {key_type!r}")
        # Keys are not modifiable once made, and the public key is unknown until
        # generation, so a generated key's CKA_ID is random rather than its hash160.
        key_id = hashlib.sha256(label.encode() + self._random(16)).digest()[:20]
        with self._gateway.lock:
            self._refuse_duplicate(None, label)
            try:
                domain = self.session.create_domain_parameters(
                    kind, {Attribute.EC_PARAMS: params}, local=True
                )
                domain.generate_keypair(
                    store=True,
                    mechanism=mechanism,
                    public_template=templates.without_class_and_type(
                        templates.public_key(kind, params, label, key_id)
                    ),
                    private_template=templates.without_class_and_type(
                        templates.private_key(kind, params, label, key_id)
                    ),
                )
            except (px.MechanismInvalid, px.FunctionNotSupported):
                raise HsmError(
                    "mechanism_missing",
                    f"token {self.label!r} cannot generate {key_type} keys (mechanism missing)",
                ) from None
            except px.PKCS11Error as exc:
                raise HsmError(
                    "generate_failed", f"token {self.label!r} could not generate a key: {exc!r}"
                ) from None
            self._keys = None
        found = self.key(key_id)
        self.prove(found.key_id, found.public_key)
        return found

    def _refuse_duplicate(self, key_id: bytes | None, label: str) -> None:
        """A label or id already on the token is an error, never an update."""
        for existing in self.keys().values():
            if existing.label == label or existing.key_id == key_id:
                raise HsmError(
                    "key_exists", f"token {self.label!r} already holds a key labelled {label!r}"
                )

    def _random(self, length: int) -> bytes:
        """``length`` bytes of C_GenerateRandom in this session: a PKCS#11 call like any
        other, so under the gateway lock."""
        with self._gateway.lock:
            return bytes(self.session.generate_random(length * 8))

    def prove(self, key_id: bytes, public_key: bytes) -> None:
        """Sign a fresh digest with the key and verify it against ``public_key``."""
        digest = hashlib.sha256(b"airsign key proof" + self._random(32)).digest()
        key = self.key(key_id)
        if key.key_type == "ed25519":
            self.sign_ed25519(key_id, digest, public_key)
        else:
            self.sign_digest(key_id, digest, public_key)

    # -- signing ---------------------------------------------------------------

    def _raw_sign(self, key: TokenKey, data: bytes, mechanism: Mechanism) -> bytes:
        """The one PKCS#11 signing call, under the gateway lock."""
        with self._gateway.lock:
            if mechanism is Mechanism.ECDSA:  # the hot path: see function_list.EcdsaCall
                # python-pkcs11 exposes both handles (its type stubs lack the session's).
                session: Any = self.session
                rv, raw = self._gateway.ecdsa(session.handle, key.handle.handle, data)
                if rv != 0:
                    raise HsmError("sign_failed",
                                   f"token {self.label!r} did not sign: {rv_name(rv)}")
                return raw
            try:
                return bytes(key.handle.sign(data, mechanism=mechanism))
            except px.PKCS11Error as exc:
                raise HsmError(
                    "sign_failed", f"token {self.label!r} did not sign: {exc!r}"
                ) from None

    def _expected(
        self, key_id: bytes, key_type: str, expected_public_key: bytes | None
    ) -> tuple[TokenKey, bytes]:
        """The token key to sign with, checked against the public key the caller registered."""
        key = self.key(key_id)
        expected = expected_public_key or key.public_key
        if key.key_type != key_type or key.public_key != expected:
            raise HsmError(
                "unexpected_key", f"token {self.label!r} key {key.label} is not the registered key"
            )
        return key, expected

    def sign_digest(
        self, key_id: bytes, digest: bytes, expected_public_key: bytes | None = None
    ) -> EcdsaSignature:
        """CKM_ECDSA over a 32-byte digest we computed; low-S and verified before returning."""
        return self.sign_digest_later(key_id, digest, expected_public_key).verified()

    def sign_digest_later(
        self, key_id: bytes, digest: bytes, expected_public_key: bytes | None = None
    ) -> Unverified:
        """sign_digest() with its verify-after-sign left to ``Unverified.verified()``, the
        only way to the signature: for a caller that verifies on another thread while this
        one asks the token for the next signature."""
        if len(digest) != 32:
            raise HsmError(
                "bad_digest", f"refusing to sign a {len(digest)}-byte digest: exactly 32 required"
            )
        key, expected = self._expected(key_id, "secp256k1", expected_public_key)
        return Unverified(self.label, self._raw_sign(key, digest, Mechanism.ECDSA), digest,
                          expected)

    def sign_digests(
        self, key_id: bytes, digests: list[bytes], expected_public_key: bytes | None = None
    ) -> list[EcdsaSignature]:
        """Sign many digests with one key; verification overlaps the HSM's next signatures.

        Both the PKCS#11 call and libsecp256k1 release the GIL, so on two cores a
        verifier thread checks one chunk of signatures while the token computes the
        next chunk (one hand-off per chunk keeps the thread overhead negligible).
        Every signature is still verified before any is returned.
        """
        if any(len(digest) != 32 for digest in digests):
            raise HsmError("bad_digest", "refusing to sign: every digest must be exactly 32 bytes")
        if not digests:
            return []
        key, expected = self._expected(key_id, "secp256k1", expected_public_key)

        def verify(chunk: list[tuple[bytes, bytes]]) -> list[EcdsaSignature]:
            return [verified_signature(raw, digest, expected) for raw, digest in chunk]

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify") as verifier:
            pending = []
            for start in range(0, len(digests), VERIFY_CHUNK):
                chunk = []
                for digest in digests[start:start + VERIFY_CHUNK]:
                    raw = self._raw_sign(key, digest, Mechanism.ECDSA)
                    chunk.append((raw, digest))
                pending.append(verifier.submit(verify, chunk))
            try:
                return [signature for future in pending for signature in future.result()]
            except SignatureInvalid as exc:
                raise HsmError("signature_invalid", f"token {self.label!r}: {exc}") from None

    def sign_ed25519(
        self, key_id: bytes, message: bytes, expected_public_key: bytes | None = None
    ) -> bytes:
        """Pure Ed25519 (CKM_EDDSA) over ``message``; verified before returning."""
        key, expected = self._expected(key_id, "ed25519", expected_public_key)
        signature = self._raw_sign(key, message, Mechanism.EDDSA)
        try:
            Ed25519PublicKey.from_public_bytes(expected).verify(signature, message)
        except InvalidSignature:
            raise HsmError(
                "signature_invalid", f"token {self.label!r}: Ed25519 signature does not verify"
            ) from None
        return signature
