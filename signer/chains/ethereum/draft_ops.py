"""A Safe transaction draft through intake, review, signing and export.

The JSON is parsed strictly, the SafeTx hash recomputed here, every call decoded against
the policy's token registry and checked (checks.py, execution.py); the nonce must be the
next one the Safe can execute (nonces.py). Each owner signs the recomputed hash.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from signer.canonical import canonical_json
from signer.chains.ethereum.cancellation import cancellation_problems, cancellation_tx
from signer.chains.ethereum.checks import screen_safe_tx
from signer.chains.ethereum.decode import decode_safe_tx
from signer.chains.ethereum.nonces import NonceState
from signer.chains.ethereum.safe_hash import safe_tx_hash
from signer.chains.ethereum.safe_tx import SafeTx, parse_safe_tx_json
from signer.chains.ethereum.settings import OWNER_PATH, Settings
from signer.chains.ethereum.signing import OwnerSignature, SafeOwner, export_json, sign_safe_tx
from signer.chains.ethereum.tokens import Token, TokenRegistry
from signer.chains.ethereum.view import OperatorView
from signer.chains.facts import DraftFacts
from signer.chains.finding import Finding
from signer.chains.kind import (
    Artifacts,
    Attached,
    ClaimHistory,
    DecodeContext,
    Decoded,
    HolderStep,
    Plan,
    Signature,
    StoredDraft,
    draft_id,
)
from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import AirsignError, Rejected
from signer.hsm.token import TokenSession

NAME = "ethereum"


def _tokens(context: DecodeContext, chain_id: int) -> TokenRegistry:
    """The policy's ERC-20 assets are the token registry: unknown tokens are unknown calls."""
    return TokenRegistry(tuple(Token(a.symbol, a.decimals, a.contract, chain_id)
                               for a in context.assets if a.chain == NAME and a.contract))


def _settings(rules: Any) -> Settings:
    """Refunds and the block gas limit come from the policy's [ethereum] section."""
    if rules is None:
        return Settings()
    return Settings(allow_refund_params=rules.allow_refunds,
                    max_refund_wei=rules.max_refund_wei,
                    block_gas_limit=rules.block_gas_limit)


def claim_prefix(chain_id: int, safe: str) -> str:
    return f"safe:{chain_id}:{safe.lower()}:"


def safe_nonce_state(
    history: ClaimHistory, wallet: RegisteredWallet, at_import: bool
) -> NonceState:
    assert wallet.safe is not None and wallet.chain_id is not None
    prefix = claim_prefix(wallet.chain_id, wallet.safe)

    def pending() -> set[int]:
        return {int(c.rsplit(":", 1)[1]) for c in history.pending(NAME, prefix)}

    return NonceState(history.recorded_counter(prefix),
                      frozenset(int(c.rsplit(":", 1)[1]) for c in history.claimed(prefix)),
                      pending if at_import else None)


def decode(payload: bytes, source: str, context: DecodeContext) -> Decoded:
    tx = parse_safe_tx_json(payload, source)
    wallet = context.wallet
    findings: list[Finding] = []
    if wallet.chain_id is None:
        raise Rejected("no_ethereum", f"{source}: the registered wallet has no Safe")
    if wallet.safe is None:
        findings.append(Finding("no_safe_registered", "no Safe address is registered: "
                                "run 'airsign wallet set-safe ADDRESS --holders H,H'"))
    settings = _settings(context.rules)
    view = decode_safe_tx(tx, _tokens(context, wallet.chain_id), settings)
    findings += screen_safe_tx(tx, view, settings, safe=wallet.safe or tx.safe,
                               chain_id=wallet.chain_id, last_nonce=None,
                               safe_version=wallet.safe_version)
    if context.history is not None and wallet.safe is not None:
        # stale_nonce and nonce_gap: a draft that carries a signature holds its nonce.
        findings += safe_nonce_state(context.history, wallet, context.at_import).findings(tx.nonce)
    identifier = draft_id(NAME, safe_tx_hash(tx))
    if context.cancels is not None:
        facts = _cancellation_facts(identifier, tx, findings, context.cancels)
    else:
        facts = _facts(identifier, view, findings)
    claims = (f"{claim_prefix(tx.chain_id, tx.safe)}{tx.nonce}",)
    summary = {"words": list(view.words), "safe_tx": tx.to_json(), "decoded": view.to_json(),
               "safeTxHash": "0x" + view.safe_tx_hash.hex()}
    return Decoded(identifier, NAME, canonical_json(tx.to_json()), summary, facts, claims,
                   moves_funds=context.cancels is None)


def _facts(identifier: str, view: OperatorView, findings: list[Finding]) -> DraftFacts:
    transfer = view.transfer
    if transfer is None or transfer.asset is None or transfer.amount is None:
        found = [*findings]
        refused_calls = ("delegatecall", "self_call", "self_transfer", "unknown_call")
        if not any(f.code in refused_calls for f in found):
            found.append(Finding("not_a_transfer", "the Safe transaction is not a single ETH "
                                 "or ERC-20 transfer; only transfers are signed"))
        return DraftFacts(identifier, NAME, "ETH", Decimal(0), (), findings=tuple(found))
    contract = transfer.to if transfer.action != "eth_transfer" else None
    return DraftFacts(identifier, NAME, transfer.asset, Decimal(transfer.amount),
                      (transfer.destination or "",), contract=contract,
                      findings=tuple(findings))


def _cancellation_facts(
    identifier: str, tx: SafeTx, findings: list[Finding], cancels: str
) -> DraftFacts:
    """A cancellation calls the Safe itself with nothing (self_call is what it is); any
    other difference from the standard shape refuses it."""
    found = [f for f in findings if f.code != "self_call"]
    problems = cancellation_problems(tx)
    if problems:
        found.append(Finding("not_a_cancellation", f"the cancellation of draft {cancels} is "
                             "not a zero-value call from the Safe to itself: "
                             + "; ".join(problems)))
    return DraftFacts(identifier, NAME, "ETH", Decimal(0), (), findings=tuple(found))


def check_payload(payload: bytes, source: str) -> object:
    return parse_safe_tx_json(payload, source)


def plan(stored: StoredDraft, holders: Sequence[str], wallet: RegisteredWallet) -> Plan:
    """One signature per holder, until the threshold (the stored ones count)."""
    wanted = max(wallet.threshold - len(stored.signatures), 0)
    tx = parse_safe_tx_json(stored.payload, f"draft {stored.id}")
    return Plan(tuple(HolderStep(holder, tx) for holder in list(holders)[:wanted]))


def sign(step: HolderStep, token: TokenSession, wallet: RegisteredWallet) -> str:
    """On the holder's token thread: the owner key signs the recomputed safeTxHash, proven
    by ecrecover against the registered owner before it leaves sign_safe_tx."""
    owner_key = next((k for k in token.keys().values() if k.label == OWNER_PATH), None)
    if owner_key is None:
        raise Rejected("owner_key_absent", f"token {token.label!r} holds no Ethereum owner key")
    owner = SafeOwner(step.holder, wallet.holder(step.holder).owner,
                      partial(token.sign_digest, owner_key.key_id))
    return sign_safe_tx(step.work, [owner]).signatures[0].signature.hex()


def attach(
    stored: StoredDraft, signed: Sequence[tuple[str, object]], failure: AirsignError | None,
    wallet: RegisteredWallet,
) -> Attached:
    made: list[Signature] = []
    for holder, signature in signed:
        complete = len(stored.signatures) + len(made) + 1 >= wallet.threshold
        made.append(Signature(holder, str(signature), complete))
    return Attached(tuple(made), failure=failure)


def artifacts(stored: StoredDraft, wallet: RegisteredWallet) -> Artifacts:
    if not stored.complete:
        raise Rejected("not_fully_signed", f"draft {stored.id} has {len(stored.signatures)} of "
                       f"{wallet.threshold} Safe signatures; sign with another holder first")
    tx = parse_safe_tx_json(stored.payload, f"draft {stored.id}")
    signatures = [OwnerSignature(holder, wallet.holder(holder).owner, bytes.fromhex(sig))
                  for holder, sig in stored.signatures.items()]
    document: dict[str, Any] = export_json(safe_tx_hash(tx), signatures)
    text = (json.dumps(document, indent=2) + "\n").encode()
    return Artifacts({f"{stored.id}.safe-signatures.json": text}, text, "bytes")


def cancellation(stored: StoredDraft, wallet: RegisteredWallet) -> bytes:
    """The quorum's cancellation of a Safe draft: a zero-value call from the Safe to itself
    at the draft's nonce (screened on its own path)."""
    tx = stored.summary["safe_tx"]
    if wallet.safe is None or wallet.chain_id is None \
            or str(tx["safe"]).lower() != wallet.safe.lower():
        raise Rejected("wrong_safe", f"draft {stored.id} is not for the registered Safe")
    return canonical_json(cancellation_tx(wallet.safe, wallet.chain_id, str(tx["safeVersion"]),
                                     int(tx["nonce"])).to_json())
