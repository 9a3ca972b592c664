"""Proofs of reserves (BIP-322 for the wallet's addresses, EIP-1271 for the Safe) as a kind
of draft (signer/chains/kind.py): a statement signed by the quorum, which moves nothing.

The payload is the request's canonical JSON (request.py). The work is in review.py,
signing.py and proof_file.py, imported on first use: listing drafts needs only words.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from signer.chains.finding import Finding
from signer.chains.kind import (
    Artifacts,
    Attached,
    DecodeContext,
    Decoded,
    HolderStep,
    Merged,
    Plan,
    StoredDraft,
    Words,
)
from signer.chains.proof import words
from signer.errors import AirsignError, BadInput

if TYPE_CHECKING:
    from signer.chains.registered_wallet import RegisteredWallet
    from signer.hsm.token import TokenSession

BITCOIN_NETWORKS = ("mainnet", "testnet", "signet", "regtest")


class ProofKind:
    name = "proof"
    asset = ""  # a proof moves no asset
    native_decimals = 0
    envelope_key = "proof_request"
    envelope_encoding = "json"
    envelope_what = "proof of reserves request"
    bare_format = "proof_request"
    request_shape = "message"
    policy_section = "proofs"
    broadcast_verb = "published"
    can_cancel = False
    no_cancel_hint = "a proof of reserves, which moves nothing: abandon it instead"

    def check_payload(self, payload: bytes, source: str) -> object:
        from signer.chains.proof.request import parse_proof_request_json

        return parse_proof_request_json(payload, source)

    def network_problem(self, network: object) -> str | None:
        # A proof's envelope names the wallet's Bitcoin network; the Safe's chain id is in
        # the request itself (and checked against the registered Safe).
        if network in BITCOIN_NETWORKS:
            return None
        return "expected the wallet's Bitcoin network: " + ", ".join(BITCOIN_NETWORKS)

    def wallet_network(self, wallet: RegisteredWallet) -> str:
        return wallet.network

    def normalise_address(self, text: str) -> str:
        raise ValueError("a proof has no addresses of its own kind")

    def claims_address(self, text: str) -> bool:
        return False

    def asset_problem(self, contract: str | None, decimals: int | None,
                      fee_rate: bool) -> tuple[str, str] | None:
        return "chain", "bitcoin or ethereum: a proof of reserves moves no asset"

    def decode(self, payload: bytes, source: str, context: DecodeContext) -> Decoded:
        from signer.chains.proof import review

        return review.decode(payload, source, context)

    def request_findings(self, request: Mapping[str, Any], decoded: Decoded) -> list[Finding]:
        from signer.chains.proof.message_rules import request_mismatch_findings

        message = decoded.summary.get("message", "")
        return [replace(f, where="message")
                for f in request_mismatch_findings(message, request.get("message"))]

    def merge(self, stored: StoredDraft, decoded: Decoded, source: str) -> Merged | None:
        if decoded.payload != stored.payload:
            raise ValueError("the proof request")
        return None

    def plan(self, decoded: Decoded, holders: Sequence[str], stored: StoredDraft,
             wallet: RegisteredWallet) -> Plan:
        from signer.chains.proof import signing

        return signing.plan(decoded, holders, stored, wallet)

    def sign(self, step: HolderStep, token: TokenSession, wallet: RegisteredWallet) -> object:
        from signer.chains.proof import signing

        return signing.sign(step, token)

    def attach(self, decoded: Decoded, stored: StoredDraft,
               signed: Sequence[tuple[str, object]], failure: AirsignError | None,
               wallet: RegisteredWallet) -> Attached:
        from signer.chains.proof import signing

        return signing.attach(stored, signed, failure, wallet)

    def artifacts(self, stored: StoredDraft, wallet: RegisteredWallet) -> Artifacts:
        from signer.chains.proof import proof_file

        return proof_file.artifacts(stored, wallet)

    def describe(self, stored: StoredDraft, full: bool = True) -> Words:
        return words.words(stored.summary, full)

    def released(self, claims: Sequence[str]) -> str:
        return "it claims nothing (a proof spends no coins and no nonce)"

    def cancellation(self, stored: StoredDraft, wallet: RegisteredWallet) -> bytes:
        raise BadInput("not_a_safe_draft", f"draft {stored.id} is {self.no_cancel_hint}")


KIND = ProofKind()
