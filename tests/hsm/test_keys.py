"""Keys in a real SoftHSM token: generation, import, attributes, and no way out."""

from __future__ import annotations

import os
import subprocess

import coincurve
import pkcs11
import pytest
from embit.hashes import hash160  # the CKA_ID rule, computed by a library
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag

from signer.errors import HsmError
from signer.hsm.token import TokenSession
from softhsm.tokens import TokenSet

PATH = "m/48'/1'/0'/2'/0/7"


def test_import_states_every_attribute(holder_a: TokenSession) -> None:
    secret = bytearray(os.urandom(32))
    key = holder_a.import_secp256k1(secret, PATH)
    expected_public = coincurve.PrivateKey(bytes(secret)).public_key.format()
    handle = key.handle
    assert key.public_key == expected_public
    assert key.key_id == hash160(expected_public)
    assert handle[Attribute.LABEL] == PATH
    assert bytes(handle[Attribute.ID]) == hash160(expected_public)
    stated = {
        Attribute.TOKEN: True,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
        Attribute.SIGN: True,
        Attribute.DERIVE: False,
        Attribute.DECRYPT: False,
        Attribute.UNWRAP: False,
        Attribute.MODIFIABLE: False,
        Attribute.SIGN_RECOVER: False,
    }
    for attribute, value in stated.items():
        assert handle[attribute] == value, attribute


@pytest.mark.parametrize("key_type", ["secp256k1", "ed25519"])
def test_generated_keys_never_leave_the_token(holder_a: TokenSession, key_type: str) -> None:
    key = holder_a.generate(key_type, f"generated-{key_type}")
    assert key.handle[Attribute.ALWAYS_SENSITIVE] is True
    assert key.handle[Attribute.NEVER_EXTRACTABLE] is True
    assert key.handle[Attribute.EXTRACTABLE] is False
    assert key.handle[Attribute.DERIVE] is False


def test_every_extraction_attempt_fails(holder_a: TokenSession) -> None:
    key = holder_a.import_secp256k1(bytearray(os.urandom(32)), PATH)
    with pytest.raises(pkcs11.exceptions.AttributeSensitive):
        key.handle[Attribute.VALUE]
    with pytest.raises(pkcs11.exceptions.PKCS11Error):
        key.handle[Attribute.EXTRACTABLE] = True
    with pytest.raises(pkcs11.exceptions.PKCS11Error):
        key.handle[Attribute.SENSITIVE] = False
    wrapping = holder_a.session.generate_key(
        KeyType.AES, 256, capabilities=MechanismFlag.WRAP | MechanismFlag.ENCRYPT
    )
    with pytest.raises(pkcs11.exceptions.PKCS11Error):
        wrapping.wrap_key(key.handle, mechanism=Mechanism.AES_KEY_WRAP_PAD)
    with pytest.raises(pkcs11.exceptions.PKCS11Error):
        key.handle.copy({Attribute.EXTRACTABLE: True})


def test_a_label_already_on_the_token_is_an_error(holder_a: TokenSession) -> None:
    holder_a.import_secp256k1(bytearray(os.urandom(32)), PATH)
    with pytest.raises(HsmError) as refused:
        holder_a.import_secp256k1(bytearray(os.urandom(32)), PATH)
    assert refused.value.code == "key_exists"


def test_pkcs11_tool_lists_the_objects(
    holder_a: TokenSession, token_set: TokenSet, user_pin: str
) -> None:
    """OpenSC's pkcs11-tool is an independent client: it must see what we stored."""
    key = holder_a.import_secp256k1(bytearray(os.urandom(32)), PATH)
    # A throwaway test token's PIN; pkcs11-tool takes no other way in batch mode.
    listing = subprocess.run(
        [
            "pkcs11-tool",
            "--module",
            token_set.module,
            "--token-label",
            "holder-a",
            "--login",
            "--pin",
            user_pin,
            "--list-objects",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    ).stdout
    assert listing.count(PATH) == 2  # the private key and its public half
    blocks = _blocks(listing)
    private = next(b for title, b in blocks if title.startswith("Private Key Object"))
    public = next(b for title, b in blocks if title.startswith("Public Key Object"))
    assert private["ID"] == public["ID"] == key.key_id.hex()
    assert private["Usage"] == "sign"
    assert "sensitive" in private["Access"] and "extractable" not in private["Access"]
    uncompressed = coincurve.PublicKey(key.public_key).format(compressed=False).hex()
    assert uncompressed in public["EC_POINT"]


def _blocks(listing: str) -> list[tuple[str, dict[str, str]]]:
    """pkcs11-tool prints one object per block: a title line, then indented fields."""
    blocks: list[tuple[str, dict[str, str]]] = []
    for line in listing.splitlines():
        if line and not line.startswith(" "):
            blocks.append((line, {}))
        elif ":" in line and blocks:
            name, value = line.split(":", 1)
            blocks[-1][1][name.strip()] = value.strip()
    return blocks
