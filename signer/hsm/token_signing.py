"""Signatures from a logged-in holder token: the one PKCS#11 signing call, and every
signature verified in software against the expected public key before it is used.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pkcs11 import Mechanism
from pkcs11 import exceptions as px

from signer.errors import HsmError
from signer.hsm.ecdsa import EcdsaSignature, SignatureInvalid, verified_signature
from signer.hsm.function_list import rv_name
from signer.hsm.token_keys import KeyLookup, TokenKey

VERIFY_CHUNK = 32  # signatures handed to the verifier thread at once


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


class SigningSession(KeyLookup):
    """A holder's session that signs with the keys it holds (the base of TokenSession)."""

    def _raw_sign(self, key: TokenKey, data: bytes, mechanism: Mechanism) -> bytes:
        """The one PKCS#11 signing call, under the gateway lock: every signing method comes
        through here, so tests/crashing_child.py kills the process here and the bench's
        slow tokens (bench/_tokens.py) add their latency here."""
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
