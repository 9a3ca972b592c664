"""Signing in a real SoftHSM token: verified, low-S, correct recovery id, digest length."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils
from eth_keys import keys as eth_keys

from signer.errors import HsmError
from signer.hsm.ecdsa import HALF_N
from signer.hsm.gateway import Gateway
from signer.hsm.token import TokenSession

PATH = "m/44'/60'/0'/0/0"


@pytest.fixture
def secp_key(holder_a: TokenSession) -> bytes:
    return holder_a.import_secp256k1(bytearray(os.urandom(32)), PATH).key_id


def _verify_with_cryptography(public_key: bytes, der: bytes, digest: bytes) -> None:
    """An independent verifier (OpenSSL through cryptography)."""
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), public_key)
    key.verify(der, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))


def test_low_s_and_verifiable_on_200_consecutive_signatures(
    holder_a: TokenSession, secp_key: bytes
) -> None:
    public_key = holder_a.key(secp_key).public_key
    for n in range(200):
        digest = hashlib.sha256(n.to_bytes(4, "big")).digest()
        signature = holder_a.sign_digest(secp_key, digest, public_key)
        assert signature.s <= HALF_N
        _verify_with_cryptography(public_key, signature.der, digest)


def test_recovery_id_is_right_on_200_signatures(holder_a: TokenSession, secp_key: bytes) -> None:
    """eth-keys (not our code) recovers the signer from r, s and our v."""
    public_key = holder_a.key(secp_key).public_key
    expected = eth_keys.PublicKey.from_compressed_bytes(public_key)
    for n in range(200):
        digest = hashlib.sha256(b"recovery" + n.to_bytes(4, "big")).digest()
        signature = holder_a.sign_digest(secp_key, digest)
        vrs = (signature.recovery_id, signature.r, signature.s)
        recovered = eth_keys.Signature(vrs=vrs).recover_public_key_from_msg_hash(digest)
        assert recovered == expected
        assert signature.ethereum_vrs[64] in (27, 28)


@pytest.mark.parametrize("length", [0, 20, 31, 33, 64])
def test_only_32_byte_digests_are_signed(
    holder_a: TokenSession, secp_key: bytes, length: int
) -> None:
    with pytest.raises(HsmError) as refused:
        holder_a.sign_digest(secp_key, b"\x01" * length)
    assert refused.value.code == "bad_digest"
    assert "32" in refused.value.message


def test_refuses_to_sign_with_a_key_other_than_the_registered_one(
    holder_a: TokenSession, secp_key: bytes
) -> None:
    other = holder_a.import_secp256k1(bytearray(os.urandom(32)), "m/0").public_key
    with pytest.raises(HsmError) as refused:
        holder_a.sign_digest(secp_key, bytes(32), other)
    assert refused.value.code == "unexpected_key"


def test_ed25519_signatures_verify(holder_a: TokenSession) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = holder_a.generate("ed25519", "audit")
    signature = holder_a.sign_ed25519(key.key_id, b"journal head")
    Ed25519PublicKey.from_public_bytes(key.public_key).verify(signature, b"journal head")


def test_eight_threads_signing_2000_times_each_through_the_gateway(
    holder_a: TokenSession, secp_key: bytes
) -> None:
    """Unserialised, SoftHSM crashes the process under concurrent sessions."""
    public_key = holder_a.key(secp_key).public_key
    counts = [0] * 8
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for n in range(2000):
                digest = hashlib.sha256(bytes([index]) + n.to_bytes(4, "big")).digest()
                holder_a.sign_digest(secp_key, digest, public_key)
                counts[index] += 1
        except BaseException as exc:  # surfaced below: a thread must not die silently
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert counts == [2000] * 8


def test_threads_on_different_tokens_share_the_one_gateway(gateway: Gateway, user_pin: str) -> None:
    sessions = [gateway.login(label, user_pin) for label in ("holder-a", "holder-b", "holder-c")]
    keys = [s.import_secp256k1(bytearray(os.urandom(32)), PATH).key_id for s in sessions]
    errors: list[BaseException] = []

    def worker(session: TokenSession, key_id: bytes) -> None:
        try:
            for n in range(300):
                session.sign_digest(key_id, hashlib.sha256(n.to_bytes(4, "big")).digest())
        except BaseException as exc:
            errors.append(exc)

    pairs = zip(sessions, keys, strict=True)
    threads = [threading.Thread(target=worker, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for session in sessions:
        session.logout()
    assert errors == []


def test_batch_signing_returns_verified_low_s_signatures_in_order(
    holder_a: TokenSession, secp_key: bytes
) -> None:
    public_key = holder_a.key(secp_key).public_key
    digests = [hashlib.sha256(b"batch" + n.to_bytes(4, "big")).digest() for n in range(64)]
    signatures = holder_a.sign_digests(secp_key, digests, public_key)
    assert [s.digest for s in signatures] == digests
    for signature, digest in zip(signatures, digests, strict=True):
        assert signature.s <= HALF_N
        _verify_with_cryptography(public_key, signature.der, digest)
    with pytest.raises(HsmError):
        holder_a.sign_digests(secp_key, [bytes(32), bytes(33)])
