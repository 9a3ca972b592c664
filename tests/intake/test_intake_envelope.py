"""Envelopes and draft JSON: the good path checked by libsodium, every forgery refused by code."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import nacl.signing
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from intake_samples import (
    OTHER,
    VAULT,
    VAULT_KEYS,
    draft,
    draft_bytes,
    envelope_bytes,
    envelope_obj,
    psbt,
    run,
    safe_tx,
)

from signer.canonical import canonical_json
from signer.chains import kinds
from signer.errors import BadInput
from signer.transport.envelope import (
    json_depth_exceeds,
    load_signing_key,
    open_envelope,
    parse_plain_draft,
    seal,
)

KINDS = kinds.every()  # the draft formats intake knows

# RFC 8032 section 7.1, TEST 2: secret key, public key, message 0x72 and its signature.
RFC_SECRET = bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
RFC_PUBLIC = bytes.fromhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
RFC_SIGNATURE = bytes.fromhex(
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
    "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
)


def refused(raw: bytes | str, keys: dict[str, bytes] = VAULT_KEYS) -> BadInput:
    data = raw.encode() if isinstance(raw, str) else raw
    with pytest.raises(BadInput) as caught:
        open_envelope(data, "env.json", keys, KINDS)
    assert "env.json" in caught.value.message
    return caught.value


def test_good_envelope_signed_by_libsodium_opens() -> None:
    body = draft_bytes()
    signer = nacl.signing.SigningKey(bytes(range(32)))  # the same seed as VAULT
    raw = json.dumps({"format": "airsign-envelope/1", "key_id": "vault-2026",
                      "body": base64.b64encode(body).decode(),
                      "signature": base64.b64encode(signer.sign(body).signature).decode()})
    envelope = open_envelope(raw.encode(), "env.json", VAULT_KEYS, KINDS)
    assert envelope.key_id == "vault-2026"
    assert envelope.body_sha256 == hashlib.sha256(body).hexdigest()
    assert envelope.draft == json.loads(body)
    assert envelope.request["amount"] == "0.0006"


def test_rfc8032_signature_is_accepted_before_the_body_is_read() -> None:
    keys = {"rfc": RFC_PUBLIC}
    raw = json.dumps({"format": "airsign-envelope/1", "key_id": "rfc", "body": "cg==",
                      "signature": base64.b64encode(RFC_SIGNATURE).decode()})
    assert refused(raw, keys).code == "bad_draft_body"  # signature passed, 0x72 is no draft
    forged = RFC_SIGNATURE[:-1] + bytes([RFC_SIGNATURE[-1] ^ 1])
    raw = raw.replace(base64.b64encode(RFC_SIGNATURE).decode(),
                      base64.b64encode(forged).decode())
    assert refused(raw, keys).code == "bad_envelope_signature"


def test_seal_signs_exactly_the_body_bytes_as_libsodium_verifies() -> None:
    body = draft_bytes("ethereum")
    sealed = json.loads(seal(body, VAULT, "vault-2026"))
    assert sealed["format"] == "airsign-envelope/1" and sealed["key_id"] == "vault-2026"
    assert base64.b64decode(sealed["body"]) == body
    verify = nacl.signing.VerifyKey(VAULT_KEYS["vault-2026"])
    assert verify.verify(body, base64.b64decode(sealed["signature"])) == body
    rfc = json.loads(seal(b"\x72", Ed25519PrivateKey.from_private_bytes(RFC_SECRET), "rfc"))
    assert base64.b64decode(rfc["signature"]) == RFC_SIGNATURE


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


FORGERIES: dict[str, tuple[Any, str]] = {
    "flipped body byte": (lambda b: envelope_obj(flip(b, 40), signed=b), "bad_envelope_signature"),
    "wrong key": (lambda b: envelope_obj(b, key=OTHER), "bad_envelope_signature"),
    "key_id swapped": (lambda b: envelope_obj(b, key_id="vault-old"), "bad_envelope_signature"),
    "unknown key_id": (lambda b: envelope_obj(b, key_id="vault-2027"), "unknown_vault_key"),
    "malformed key_id": (lambda b: envelope_obj(b, key_id="vault 2026"), "bad_envelope"),
}


@pytest.mark.parametrize("name", FORGERIES)
def test_forged_envelope_is_refused(name: str) -> None:
    make, code = FORGERIES[name]
    assert refused(json.dumps(make(draft_bytes()))).code == code


def test_flipped_signature_bits_are_refused() -> None:
    good = envelope_obj(draft_bytes())
    signature = base64.b64decode(good["signature"])
    for index in (0, 31, 32, 63):
        forged = dict(good, signature=base64.b64encode(flip(signature, index)).decode())
        assert refused(json.dumps(forged)).code == "bad_envelope_signature"
    short = dict(good, signature=base64.b64encode(signature[:63]).decode())
    assert refused(json.dumps(short)).code == "bad_envelope_signature"


OUTER: dict[str, tuple[Any, str]] = {
    "format wrong": (lambda e: dict(e, format="airsign-envelope/2"), "'format'"),
    "format missing": (lambda e: {k: v for k, v in e.items() if k != "format"}, "'format'"),
    "extra key": (lambda e: dict(e, note="hi"), "'note'"),
    "body not base64": (lambda e: dict(e, body="!!" + e["body"]), "'body'"),
    "body with newline": (lambda e: dict(e, body=e["body"][:8] + "\n" + e["body"][8:]), "'body'"),
    "body unpadded": (lambda e: dict(e, body=e["body"].rstrip("=")), "'body'"),
    "body url-safe": (lambda e: dict(e, body="-_" + e["body"][2:]), "'body'"),
    "signature not base64": (lambda e: dict(e, signature="*" * 88), "'signature'"),
    "signature non-canonical": (lambda e: dict(e, signature=e["signature"][:-3] + "B=="),
                                "'signature'"),
    "body a number": (lambda e: dict(e, body=5), "'body'"),
    "key_id a list": (lambda e: dict(e, key_id=["vault-2026"]), "bad_envelope"),
}


@pytest.mark.parametrize("name", OUTER)
def test_malformed_envelope_is_bad_envelope(name: str) -> None:
    body = draft_bytes("bitcoin", payload={"psbt": base64.b64encode(b"psbt\xff++").decode()})
    make, named = OUTER[name]
    error = refused(json.dumps(make(envelope_obj(body))))
    assert error.code == "bad_envelope"
    assert named in error.message or named == error.code


@pytest.mark.parametrize("raw", [
    b'{"format": "airsign-envelope/1", "format": "airsign-envelope/1"}',
    b'{"format": NaN}', b'{"format": 1.5}', b'{"format": Infinity}',
    b'{"a": {"b": 1}}', b"[" * 200_000, b"{" * 200_000, b"\xff\xfe{}", b"", b"{}",
    b'{"format": "airsign-envelope/1"}', b"9" * 10_000, b"[]", b"null",
])  # fmt: skip
def test_hostile_envelope_json_is_bad_envelope(raw: bytes) -> None:
    assert refused(raw).code == "bad_envelope"


def test_body_checks_happen_only_after_the_signature() -> None:
    body = b"not json at all"
    assert refused(json.dumps(envelope_obj(body))).code == "bad_draft_body"
    assert refused(json.dumps(envelope_obj(body, key=OTHER))).code == "bad_envelope_signature"


BODIES: dict[str, tuple[bytes, str]] = {
    "not JSON": (b"WD-000123 0.015 BTC", "not strict JSON"),
    "extra field": (draft_bytes(approved=True), "'approved'"),
    "missing field": (json.dumps({k: v for k, v in draft().items() if k != "request"}).encode(),
                      "'request'"),
    "extra request field": (draft_bytes(request=dict(draft()["request"], fee="0")),
                            "'request.fee'"),
    "missing destination": (draft_bytes(request={"asset": "BTC", "amount": "1",
                                                 "reference": ""}), "'request.destination'"),
    "format wrong": (draft_bytes(format="airsign-draft/2"), "'format'"),
    "an envelope inside": (envelope_bytes(draft_bytes()), "'key_id'"),
    "deeper nesting": (draft_bytes(request={"asset": {"a": {"b": 1}}}), "nested deeper than 3"),
    "duplicate key": (draft_bytes()[:-1] + b', "id": "WD-9"}', "duplicate key 'id'"),
}  # fmt: skip


@pytest.mark.parametrize("name", BODIES)
def test_malformed_signed_body_is_bad_draft_body(name: str) -> None:
    body, named = BODIES[name]
    error = refused(json.dumps(envelope_obj(body)))
    assert error.code == "bad_draft_body"
    assert named in error.message and "signed body" in error.message


FIELDS: dict[str, tuple[dict[str, Any], str]] = {
    "id empty": ({"id": ""}, "'id'"),
    "id with slash": ({"id": "../etc"}, "'id'"),
    "time not UTC": ({"created_at": "2026-11-22T10:00:00+01:00"}, "'created_at'"),
    "time no zone": ({"created_at": "2026-11-22T10:00:00"}, "'created_at'"),
    "time impossible": ({"created_at": "2026-02-30T10:00:00Z"}, "'created_at'"),
    "time arabic digits": ({"created_at": "٢٠٢٦-11-22T10:00:00Z"}, "'created_at'"),
    "chain unknown": ({"chain": "litecoin"}, "'chain'"),
    "network unknown": ({"network": "main"}, "'network'"),
    "amount exponent": ({"request": dict(draft()["request"], amount="1e3")}, "'request.amount'"),
    "amount negative": ({"request": dict(draft()["request"], amount="-1")}, "'request.amount'"),
    "amount number": ({"request": dict(draft()["request"], amount=1)}, "'request.amount'"),
    "amount leading zero": ({"request": dict(draft()["request"], amount="01")},
                            "'request.amount'"),
    "destination spaces": ({"request": dict(draft()["request"], destination="bc1 q")},
                           "'request.destination'"),
    "reference newline": ({"request": dict(draft()["request"], reference="ok\nAPPROVED")},
                          "'request.reference'"),
    "reference bidi override": ({"request": dict(draft()["request"], reference="\u202e321")},
                                "'request.reference'"),
    "payload for the other chain": ({"payload": {"safe_tx": safe_tx()}}, "'payload.safe_tx'"),
    "payload psbt not base64": ({"payload": {"psbt": "cHNidP8 B"}}, "'payload.psbt'"),
    "payload psbt empty": ({"payload": {"psbt": ""}}, "'payload.psbt'"),
    "payload two keys": ({"payload": {"psbt": "cHNidP8=", "safe_tx": {}}}, "'payload.safe_tx'"),
}  # fmt: skip


@pytest.mark.parametrize("name", FIELDS)
def test_plain_draft_fields_are_checked(name: str) -> None:
    changes, named = FIELDS[name]
    with pytest.raises(BadInput) as caught:
        parse_plain_draft(draft_bytes("bitcoin", **changes), "d.json", KINDS)
    assert caught.value.code == "bad_draft"
    assert named in caught.value.message and "d.json" in caught.value.message


@pytest.mark.parametrize(("changes", "named"), [
    ({"network": "mainnet"}, "'network'"), ({"network": "01"}, "'network'"),
    ({"network": 1}, "'network'"), ({"payload": {"safe_tx": "{}"}}, "'payload.safe_tx'"),
    ({"payload": {"psbt": "cHNidP8="}}, "'payload.psbt'"),
])  # fmt: skip
def test_ethereum_draft_fields_are_checked(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_plain_draft(draft_bytes("ethereum", **changes), "d.json", KINDS)
    assert named in caught.value.message


def test_accepted_draft_variants() -> None:
    for changes in ({"created_at": "2026-11-22T10:00:00.123456Z"},
                    {"created_at": "2028-02-29T23:59:59+00:00"}, {"network": "signet"},
                    {"request": dict(draft()["request"], reference="")}):
        parsed = parse_plain_draft(draft_bytes("bitcoin", **changes), "d.json", KINDS)
        assert parsed["id"] == "WD-000123"
    parsed = parse_plain_draft(draft_bytes("ethereum", network="137"), "d.json", KINDS)
    assert parsed["network"] == "137"


def test_depth_check_is_linear_on_unterminated_strings() -> None:
    hostile = '"\\' * 500_000 + "[" * 10
    started = time.monotonic()
    assert not json_depth_exceeds(hostile, 3)
    assert json_depth_exceeds('{"a": "[[[[", "b": [[[[]]]]}', 3)
    assert not json_depth_exceeds('{"a": "\\"[[[[", "b": [[]]}', 3)
    assert time.monotonic() - started < 2.0


def test_envelope_payloads_become_incoming_drafts(tmp_path: Path) -> None:
    (tmp_path / "btc.json").write_bytes(envelope_bytes(draft_bytes("bitcoin")))
    (tmp_path / "eth.json").write_bytes(envelope_bytes(draft_bytes("ethereum")))
    result = run(tmp_path)
    assert result.refused == []
    btc, eth = result.drafts
    assert (btc.chain, btc.payload) == ("bitcoin", psbt())
    assert (eth.chain, eth.payload) == ("ethereum", canonical_json(safe_tx()))
    assert btc.envelope is not None and btc.envelope.key_id == "vault-2026"
    assert eth.envelope is not None and eth.envelope.draft["network"] == "1"


def test_signed_junk_payload_is_refused_by_the_chain_parser(tmp_path: Path) -> None:
    junk_psbt = draft_bytes("bitcoin", payload={"psbt": base64.b64encode(b"psbt\xff\x01").decode()})
    bad_tx = draft_bytes("ethereum", payload={"safe_tx": dict(safe_tx(), to="0x1234")})
    (tmp_path / "a.json").write_bytes(envelope_bytes(junk_psbt))
    (tmp_path / "b.json").write_bytes(envelope_bytes(bad_tx))
    result = run(tmp_path)
    assert result.drafts == []
    assert [r.code for r in result.refused] == ["psbt_malformed", "bad_input"]
    assert "payload.safe_tx" in result.refused[1].message and "'to'" in result.refused[1].message


def test_load_signing_key_accepts_only_ed25519_private_pem(tmp_path: Path) -> None:
    good = tmp_path / "vault.pem"
    good.write_bytes(VAULT.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    assert load_signing_key(good).sign(b"x") == VAULT.sign(b"x")
    other = ec.generate_private_key(ec.SECP256K1())
    cases = {
        "ec.pem": other.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()),
        "locked.pem": VAULT.private_bytes(Encoding.PEM, PrivateFormat.PKCS8,
                                          BestAvailableEncryption(b"pw")),
        "public.pem": VAULT.public_key().public_bytes(Encoding.PEM,
                                                      PublicFormat.SubjectPublicKeyInfo),
        "junk.pem": b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "huge.pem": b"A" * 20_000,
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(BadInput) as caught:
            load_signing_key(tmp_path / name)
        assert caught.value.code == "bad_signing_key" and name in caught.value.message
    with pytest.raises(BadInput, match="cannot read"):
        load_signing_key(tmp_path / "missing.pem")


def test_seal_refuses_a_bad_key_id() -> None:
    with pytest.raises(BadInput) as caught:
        seal(b"{}", VAULT, "vault 2026\n")
    assert caught.value.code == "bad_key_id"


def test_the_documented_example_opens_with_the_rfc8032_test_1_key() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "intake.md").read_text()
    body = next(line for line in doc.splitlines() if line.startswith('{"format":"airsign-draft/1"'))
    sealed = next(line for line in doc.splitlines()
                  if line.startswith('{"format": "airsign-envelope/1"'))
    rfc_test_1 = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    envelope = open_envelope(sealed.encode(), "docs/intake.md", {"vault-2026": rfc_test_1}, KINDS)
    assert len(body.encode()) == 753
    assert envelope.draft == json.loads(body)
    assert envelope.body_sha256 == hashlib.sha256(body.encode()).hexdigest()
    assert envelope.body_sha256 in doc
    nacl.signing.VerifyKey(rfc_test_1).verify(body.encode(), base64.b64decode(
        json.loads(sealed)["signature"]))
