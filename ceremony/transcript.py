"""The ceremony transcript: what was made, signed by every holder's in-token audit key."""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from signer.canonical import canonical_json
from signer.hsm.token import TokenSession

PURPOSE = "airsign-ceremony-transcript/1"


def sign_transcript(
    body: dict[str, Any], signers: dict[str, tuple[TokenSession, bytes]]
) -> dict[str, Any]:
    """``body`` plus one Ed25519 signature per holder over its canonical JSON."""
    message = canonical_json({"purpose": PURPOSE, "body": body})
    signatures = []
    for holder, (session, key_id) in sorted(signers.items()):
        key = session.key(key_id)
        signatures.append({
            "holder": holder,
            "public_key": key.public_key.hex(),
            "signature": session.sign_ed25519(key_id, message).hex(),
        })
    return {"purpose": PURPOSE, "body": body, "signatures": signatures}


def verify_transcript(transcript: dict[str, Any]) -> list[str]:
    """Holders whose signature verifies (auditors also compare the public keys aloud)."""
    message = canonical_json({"purpose": PURPOSE, "body": transcript["body"]})
    good = []
    for entry in transcript.get("signatures", []):
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(entry["public_key"])).verify(
                bytes.fromhex(entry["signature"]), message
            )
        except (InvalidSignature, ValueError, KeyError):
            continue
        good.append(str(entry["holder"]))
    return good
