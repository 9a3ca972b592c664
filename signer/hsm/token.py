"""A logged-in holder token: its keys (token_keys.py), its signatures (token_signing.py),
and the keys a ceremony or recovery puts on it (imported or generated, then proven).

Every PKCS#11 call runs under the gateway's lock. Signatures never leave the token's
modules unverified: each is checked in software against the expected public key.
"""

from __future__ import annotations

import hashlib

import coincurve
from pkcs11 import Attribute, KeyType, Mechanism
from pkcs11 import exceptions as px

from signer.errors import HsmError
from signer.hsm import templates
from signer.hsm.key_ids import secp256k1_key_id
from signer.hsm.token_keys import TokenKey
from signer.hsm.token_signing import SigningSession, Unverified

__all__ = ["TokenKey", "TokenSession", "Unverified"]


class TokenSession(SigningSession):
    """One holder's logged-in session: lookup, signing, and adding keys."""

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
