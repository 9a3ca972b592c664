"""A toy kind of draft: a JSON note "pay AMOUNT TOY to toy1..." signed by each holder's
secp256k1 owner key over the SHA-256 of the canonical note. It exists to show that a new
kind of draft is one folder plus ``kinds.register``: nothing outside it changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import coincurve

from signer.chains.facts import DraftFacts
from signer.chains.finding import Finding
from signer.chains.kind import (
    Artifacts,
    Attached,
    DecodeContext,
    Decoded,
    HolderStep,
    Merged,
    Plan,
    Signature,
    StoredDraft,
    Words,
    draft_id,
)
from signer.chains.registered_wallet import RegisteredWallet
from signer.chains.requests import transfer_request_findings
from signer.chains.words import Effect
from signer.errors import AirsignError, BadInput
from signer.hsm.token import TokenSession

_ADDRESS = re.compile(r"toy1[0-9a-z]{8,40}")
OWNER_LABEL = "m/44'/60'/0'/0/0"  # the key the toy signs with: each token's owner key


def _note(payload: bytes, source: str) -> dict[str, str]:
    try:
        note = json.loads(payload)
    except ValueError:
        raise BadInput("bad_toy_note", f"{source}: expected a toy note (JSON)") from None
    if not isinstance(note, dict) or set(note) != {"pay", "to"}:
        raise BadInput("bad_toy_note", f"{source}: expected exactly the keys pay and to")
    try:
        Decimal(str(note["pay"]))
    except InvalidOperation:
        raise BadInput("bad_toy_note", f"{source}: field 'pay': expected an amount") from None
    return {"pay": str(note["pay"]), "to": str(note["to"])}


def _canonical(note: dict[str, str]) -> bytes:
    return json.dumps(note, sort_keys=True, separators=(",", ":")).encode()


class ToyKind:
    name = "toy"
    asset = "TOY"
    native_decimals = 2
    envelope_key = "note"
    envelope_encoding = "json"
    envelope_what = "toy note"
    bare_format = ""
    request_shape = "transfer"
    policy_section = "toy"
    broadcast_verb = "posted"
    can_cancel = False
    no_cancel_hint = "a toy draft: abandon it instead"

    def check_payload(self, payload: bytes, source: str) -> object:
        return _note(payload, source)

    def network_problem(self, network: object) -> str | None:
        return None if network == "toynet" else 'expected "toynet"'

    def wallet_network(self, wallet: RegisteredWallet) -> str:
        return "toynet"

    def normalise_address(self, text: str) -> str:
        if _ADDRESS.fullmatch(text.lower()) is None:
            raise ValueError("a toy address: toy1 and 8-40 lowercase letters or digits")
        return text.lower()

    def claims_address(self, text: str) -> bool:
        return text.lower().startswith("toy1")

    def asset_problem(self, contract: str | None, decimals: int | None,
                      fee_rate: bool) -> tuple[str, str] | None:
        return ("contract", "no contract on a toy asset") if contract else None

    def decode(self, payload: bytes, source: str, context: DecodeContext) -> Decoded:
        note = _note(payload, source)
        canonical = _canonical(note)
        identifier = draft_id(self.name, canonical)
        findings = ()
        if _ADDRESS.fullmatch(note["to"]) is None:
            findings = (Finding("bad_toy_address", f"{note['to']!r} is not a toy address",
                                "to"),)
        facts = DraftFacts(identifier, self.name, self.asset, Decimal(note["pay"]),
                           (note["to"],), findings=findings)
        summary = {"words": [f"Pay {note['pay']} TOY to {note['to']}"], "note": note}
        return Decoded(identifier, self.name, canonical, summary, facts,
                       (f"toy:{identifier}",))

    def request_findings(self, request: Mapping[str, Any],
                         decoded: Decoded) -> list[Finding]:
        return transfer_request_findings(request, decoded.facts, self.normalise_address)

    def merge(self, stored: StoredDraft, decoded: Decoded, source: str) -> Merged | None:
        if stored.payload != decoded.payload:
            raise ValueError("the toy note")
        return None

    def plan(self, decoded: Decoded, holders: Sequence[str], stored: StoredDraft,
             wallet: RegisteredWallet) -> Plan:
        wanted = max(wallet.threshold - len(stored.signatures), 0)
        digest = hashlib.sha256(decoded.payload).digest()
        return Plan(tuple(HolderStep(h, digest) for h in list(holders)[:wanted]))

    def sign(self, step: HolderStep, token: TokenSession, wallet: RegisteredWallet) -> object:
        key = next(k for k in token.keys().values() if k.label == OWNER_LABEL)
        signature = token.sign_digest_later(key.key_id, step.work)
        return key.public_key, signature

    def attach(self, decoded: Decoded, stored: StoredDraft,
               signed: Sequence[tuple[str, object]], failure: AirsignError | None,
               wallet: RegisteredWallet) -> Attached:
        made = []
        for holder, (public_key, unverified) in signed:  # type: ignore[misc]
            signature = unverified.verified()  # checked against the token's public key
            record = json.dumps({"key": public_key.hex(), "der": signature.der.hex()})
            complete = len(stored.signatures) + len(made) + 1 >= wallet.threshold
            made.append(Signature(holder, record, complete))
        return Attached(tuple(made), failure=failure)

    def artifacts(self, stored: StoredDraft, wallet: RegisteredWallet) -> Artifacts:
        document: dict[str, Any] = {"note": json.loads(stored.payload), "signatures": {
            holder: json.loads(record) for holder, record in stored.signatures.items()}}
        text = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
        return Artifacts({f"{stored.id}.toy.json": text}, text, "bytes")

    def describe(self, stored: StoredDraft, full: bool = True) -> Words:
        note = stored.summary["note"]
        effect = Effect(f"Pay {note['pay']} TOY to:", (("", note["to"]),))
        return Words((effect,), (f"note sha256 {hashlib.sha256(stored.payload).hexdigest()}",),
                     effect.line(), sends=(Decimal(note["pay"]), "TOY"))

    def released(self, claims: Sequence[str]) -> str:
        return "its note is released"

    def cancellation(self, stored: StoredDraft, wallet: RegisteredWallet) -> bytes:
        raise BadInput("not_a_safe_draft", f"draft {stored.id} is {self.no_cancel_hint}")


KIND = ToyKind()


def verified_note(document: dict[str, Any]) -> list[str]:
    """Which holders' signatures over the exported note verify (coincurve, not airsign)."""
    digest = hashlib.sha256(_canonical(document["note"])).digest()
    return sorted(holder for holder, sig in document["signatures"].items()
                  if coincurve.PublicKey(bytes.fromhex(sig["key"])).verify(
                      bytes.fromhex(sig["der"]), digest, hasher=None))
