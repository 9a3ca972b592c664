"""Bitcoin P2WSH 2-of-3 drafts (PSBT v0) as a kind of draft (signer/chains/kind.py).

The work is in draft_ops.py and draft_signing.py, imported on first use: listing drafts
needs only words.py, never a PSBT parser (cold start).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from signer.chains.bitcoin import words
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

NETWORKS = ("mainnet", "testnet", "signet", "regtest")


class BitcoinKind:
    name = "bitcoin"
    asset = "BTC"
    native_decimals = 8
    envelope_key = "psbt"
    envelope_encoding = "base64"
    envelope_what = "PSBT"
    bare_format = "psbt"
    request_shape = "transfer"
    policy_section = "bitcoin"
    broadcast_verb = "broadcast"
    can_cancel = False
    no_cancel_hint = ("a Bitcoin draft, with no nonce to cancel: x abandons it "
                      "(its coins are then free)")

    def check_payload(self, payload: bytes, source: str) -> object:
        from signer.chains.bitcoin.psbt_file import read_psbt

        return read_psbt(payload, source)

    def network_problem(self, network: object) -> str | None:
        return None if network in NETWORKS else "expected one of " + ", ".join(NETWORKS)

    def wallet_network(self, wallet: RegisteredWallet) -> str:
        return wallet.network

    def normalise_address(self, text: str) -> str:
        from signer.chains.bitcoin.address_form import normalise_bitcoin

        return normalise_bitcoin(text)

    def claims_address(self, text: str) -> bool:
        return text[:2].lower() != "0x"

    def asset_problem(self, contract: str | None, decimals: int | None,
                      fee_rate: bool) -> tuple[str, str] | None:
        if contract is not None:
            return "contract", "no contract on a bitcoin asset"
        if decimals not in (None, 8):
            return "decimals", "8 (or absent) for bitcoin"
        return None

    def decode(self, payload: bytes, source: str, context: DecodeContext) -> Decoded:
        from signer.chains.bitcoin import draft_ops

        return draft_ops.decode(payload, source, context)

    def request_findings(self, request: Mapping[str, Any],
                         decoded: Decoded) -> list[Finding]:
        return transfer_request_findings(request, decoded.facts, self.normalise_address)

    def merge(self, stored: StoredDraft, decoded: Decoded, source: str) -> Merged | None:
        from signer.chains.bitcoin import draft_ops

        return draft_ops.merge(stored, decoded, source)

    def plan(self, decoded: Decoded, holders: Sequence[str], stored: StoredDraft,
             wallet: RegisteredWallet) -> Plan:
        from signer.chains.bitcoin import draft_signing

        return draft_signing.plan(decoded, holders, wallet)

    def sign(self, step: HolderStep, token: TokenSession, wallet: RegisteredWallet) -> object:
        from signer.chains.bitcoin import draft_signing

        return draft_signing.sign(step, token)

    def attach(self, decoded: Decoded, stored: StoredDraft,
               signed: Sequence[tuple[str, object]], failure: AirsignError | None,
               wallet: RegisteredWallet) -> Attached:
        from signer.chains.bitcoin import draft_signing

        return draft_signing.attach(decoded, signed, failure, wallet)

    def artifacts(self, stored: StoredDraft, wallet: RegisteredWallet) -> Artifacts:
        from signer.chains.bitcoin import draft_ops

        return draft_ops.artifacts(stored)

    def describe(self, stored: StoredDraft, full: bool = True) -> Words:
        return words.words(stored.summary, stored.payload, full)

    def released(self, claims: Sequence[str]) -> str:
        return ("its inputs " + ", ".join(c.removeprefix("btc:") for c in claims)
                + " are released for new drafts")

    def cancellation(self, stored: StoredDraft, wallet: RegisteredWallet) -> bytes:
        from signer.chains.bitcoin import draft_ops

        raise draft_ops.no_cancellation(stored)


KIND: DraftKind = BitcoinKind()  # mypy checks it is a whole DraftKind
