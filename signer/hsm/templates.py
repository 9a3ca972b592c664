"""PKCS#11 attribute templates, every attribute stated.

SoftHSM fills omitted attributes with permissive defaults (an imported key would be
extractable and usable for derive/decrypt/unwrap), so nothing here relies on them.
"""

from __future__ import annotations

from typing import Any

from pkcs11 import Attribute, KeyType, ObjectClass

# DER of the named-curve OIDs: secp256k1 1.3.132.0.10, Ed25519 1.3.101.112.
SECP256K1_PARAMS = bytes.fromhex("06052b8104000a")
ED25519_PARAMS = bytes.fromhex("06032b6570")


def private_key(
    key_type: KeyType, params: bytes, label: str, key_id: bytes
) -> dict[Attribute, Any]:
    """A token private key that can sign and do nothing else, and never leave the token."""
    return {
        Attribute.CLASS: ObjectClass.PRIVATE_KEY,
        Attribute.KEY_TYPE: key_type,
        Attribute.EC_PARAMS: params,
        Attribute.TOKEN: True,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
        Attribute.MODIFIABLE: False,
        Attribute.SIGN: True,
        Attribute.SIGN_RECOVER: False,
        Attribute.DERIVE: False,
        Attribute.DECRYPT: False,
        Attribute.UNWRAP: False,
        Attribute.WRAP_WITH_TRUSTED: False,
        Attribute.LABEL: label,
        Attribute.ID: key_id,
    }


def public_key(key_type: KeyType, params: bytes, label: str, key_id: bytes) -> dict[Attribute, Any]:
    """The matching public object, so the token can show which key a label holds."""
    return {
        Attribute.CLASS: ObjectClass.PUBLIC_KEY,
        Attribute.KEY_TYPE: key_type,
        Attribute.EC_PARAMS: params,
        Attribute.TOKEN: True,
        Attribute.PRIVATE: False,
        Attribute.MODIFIABLE: False,
        Attribute.VERIFY: True,
        Attribute.ENCRYPT: False,
        Attribute.WRAP: False,
        Attribute.DERIVE: False,
        Attribute.LABEL: label,
        Attribute.ID: key_id,
    }


def without_class_and_type(template: dict[Attribute, Any]) -> dict[Attribute, Any]:
    """Key generation sets CLASS and KEY_TYPE itself; EC_PARAMS goes on the domain."""
    drop = {Attribute.CLASS, Attribute.KEY_TYPE, Attribute.EC_PARAMS}
    return {k: v for k, v in template.items() if k not in drop}


def der_octet_string(data: bytes) -> bytes:
    """CKA_EC_POINT is a DER OCTET STRING (PKCS#11 2.40 section 2.3.3)."""
    if len(data) < 0x80:
        return b"\x04" + bytes([len(data)]) + data
    return b"\x04\x81" + bytes([len(data)]) + data


def unwrap_octet_string(point: bytes) -> bytes:
    """Undo der_octet_string; tolerate modules that return the raw point."""
    if len(point) >= 2 and point[0] == 0x04 and point[1] == len(point) - 2:
        return point[2:]
    if len(point) >= 3 and point[0] == 0x04 and point[1] == 0x81 and point[2] == len(point) - 3:
        return point[3:]
    return point
