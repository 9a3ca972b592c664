"""Safe transactions (v1.0.0-v1.4.1, a 2-of-3 of the holders' owner keys) as a kind of
draft (signer/chains/kind.py).

The work is in draft_ops.py, imported on first use: listing drafts needs only words.py,
never eth-account (cold start).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from signer.chains.ethereum import words
from signer.chains.finding import Finding
from signer.chains.kind import (
    Artifacts,
    Attached,
    DecodeContext,
    Decoded,
    DraftKind,
    HolderStep,
    Merged,
    Plan,
    StoredDraft,
    Words,
)
from signer.chains.requests import transfer_request_findings
from signer.errors import AirsignError

if TYPE_CHECKING:
    from signer.chains.registered_wallet import RegisteredWallet
    from signer.hsm.token import TokenSession

_CHAIN_ID = re.compile(r"[1-9][0-9]{0,19}")


class SafeKind:
    name = "ethereum"
    asset = "ETH"
    native_decimals = 18
    envelope_key = "safe_tx"
    envelope_encoding = "json"
    envelope_what = "Safe transaction"
    bare_format = "safe_tx"
    request_shape = "transfer"
    policy_section = "ethereum"
    broadcast_verb = "executed on the Safe"
    can_cancel = True
    no_cancel_hint = ""

    def check_payload(self, payload: bytes, source: str) -> object:
        from signer.chains.ethereum import draft_ops

        return draft_ops.check_payload(payload, source)

    def network_problem(self, network: object) -> str | None:
        if isinstance(network, str) and _CHAIN_ID.fullmatch(network):
            return None
        return "expected a chain id as a decimal string like \"1\""

    def wallet_network(self, wallet: RegisteredWallet) -> str:
        return str(wallet.chain_id)

    def normalise_address(self, text: str) -> str:
        from signer.chains.ethereum.address_form import normalise_ethereum

        return normalise_ethereum(text)

    def claims_address(self, text: str) -> bool:
        return text[:2].lower() == "0x"

    def asset_problem(self, contract: str | None, decimals: int | None,
                      fee_rate: bool) -> tuple[str, str] | None:
        if contract is None and decimals not in (None, 18):
            return "decimals", "18 (or absent) for native ether"
        if contract is not None and decimals is None:
            return "decimals", "the token's decimals (an ERC-20 needs them)"
        if fee_rate:
            return "max_fee_rate", "no max_fee_rate (sat/vB) on an ethereum asset"
        return None

    def decode(self, payload: bytes, source: str, context: DecodeContext) -> Decoded:
        from signer.chains.ethereum import draft_ops

        return draft_ops.decode(payload, source, context)

    def request_findings(self, request: Mapping[str, Any],
                         decoded: Decoded) -> list[Finding]:
        return transfer_request_findings(request, decoded.facts, self.normalise_address)

    def merge(self, stored: StoredDraft, decoded: Decoded, source: str) -> Merged | None:
        if decoded.payload != stored.payload:
            raise ValueError("the Safe transaction JSON (same safeTxHash, other fields or "
                             "safeTxHash claim)")
        return None

    def plan(self, decoded: Decoded, holders: Sequence[str], stored: StoredDraft,
             wallet: RegisteredWallet) -> Plan:
        from signer.chains.ethereum import draft_ops

        return draft_ops.plan(stored, holders, wallet)

    def sign(self, step: HolderStep, token: TokenSession, wallet: RegisteredWallet) -> object:
        from signer.chains.ethereum import draft_ops

        return draft_ops.sign(step, token, wallet)

    def attach(self, decoded: Decoded, stored: StoredDraft,
               signed: Sequence[tuple[str, object]], failure: AirsignError | None,
               wallet: RegisteredWallet) -> Attached:
        from signer.chains.ethereum import draft_ops

        return draft_ops.attach(stored, signed, failure, wallet)

    def artifacts(self, stored: StoredDraft, wallet: RegisteredWallet) -> Artifacts:
        from signer.chains.ethereum import draft_ops

        return draft_ops.artifacts(stored, wallet)

    def describe(self, stored: StoredDraft, full: bool = True) -> Words:
        return words.words(stored.summary)

    def released(self, claims: Sequence[str]) -> str:
        nonce = claims[0].rsplit(":", 1)[1]
        return (f"nonce {nonce} is released: sign the cancellation ('airsign cancel') or a "
                f"replacement at nonce {nonce}; whichever executes first uses the nonce")

    def cancellation(self, stored: StoredDraft, wallet: RegisteredWallet) -> bytes:
        from signer.chains.ethereum import draft_ops

        return draft_ops.cancellation(stored, wallet)


KIND: DraftKind = SafeKind()  # mypy checks it is a whole DraftKind
