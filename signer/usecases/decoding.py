"""Decode an untrusted draft ourselves: what it does, why not to sign it, what it claims.

Nothing the online side says is taken on trust: the payload is parsed and its hash
recomputed here, and an envelope's `request` is only compared with the decoded effect.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from signer.chains.bitcoin.psbt_file import Psbt, psbt_bytes, read_psbt
from signer.chains.bitcoin.review import DraftView, review_draft
from signer.chains.bitcoin.settings import Settings as BitcoinSettings
from signer.chains.bitcoin.wire import transaction_bytes
from signer.chains.ethereum import (
    OperatorView,
    SafeTx,
    Settings,
    Token,
    TokenRegistry,
    decode_safe_tx,
    parse_safe_tx_json,
    safe_tx_hash,
    screen_safe_tx,
)
from signer.chains.ethereum.cancellation import cancellation_problems
from signer.errors import Rejected
from signer.risk import DraftFacts, Policy, normalise_address
from signer.store.canonical import canonical_json
from signer.transport.incoming import IncomingDraft
from signer.usecases.safe_nonces import NonceState
from signer.usecases.wallet import RegisteredWallet

SATS = Decimal(10**8)
ID_HEX = 16


@dataclass(frozen=True)
class DecodedDraft:
    id: str
    chain: str
    payload: bytes
    summary: dict[str, Any]  # what `show` prints: words plus the decoded fields
    facts: DraftFacts  # what risk screening sees; findings are the structural refusals
    claims: tuple[str, ...]  # outpoints / Safe nonce this draft spends once signed
    # Bitcoin: the PSBT parsed from ``payload`` and its review, so that a signing session
    # signs exactly what it checked without parsing and reviewing it again.
    psbt: Psbt | None = field(default=None, compare=False, repr=False)
    view: DraftView | None = field(default=None, compare=False, repr=False)
    # A Safe cancellation made by `airsign cancel`: screened on its own path (cancellation.py)
    cancellation: bool = False


def draft_id(chain: str, canonical: bytes) -> str:
    """Short hex prefix of SHA-256 of the canonical payload: one draft however often imported."""
    return hashlib.sha256(f"airsign-draft/{chain}:".encode() + canonical).hexdigest()[:ID_HEX]


def btc(sats: int | None) -> str | None:
    return None if sats is None else format(Decimal(sats) / SATS, "f")


def decode(
    incoming: IncomingDraft, wallet: RegisteredWallet, policy: Policy | None,
    bitcoin_settings: BitcoinSettings, nonces: NonceState | None, parsed: Psbt | None = None,
    stored: bool = False, cancels: str | None = None,
) -> DecodedDraft:
    """``parsed``: read_psbt() of ``incoming.payload`` already made by the caller (not mutated).

    ``stored``: the payload is a stored draft's, written by psbt_bytes() (import, combine,
    signing), so it is its own serialisation and is not written out again.

    ``nonces``: the registered Safe's nonces (None: not checked, e.g. a draft already
    signed holds its nonce). ``cancels``: the stored draft is the cancellation of that draft.
    """
    if incoming.chain == "bitcoin":
        decoded = _decode_bitcoin(incoming, wallet, bitcoin_settings, parsed, stored)
    else:
        decoded = _decode_safe(incoming, wallet, policy, nonces, cancels)
    # A cancellation is the quorum's (`airsign cancel`): an envelope the vault sent the same
    # shape in earlier says nothing about it, and must not make the remedy unsignable.
    extra = [] if cancels is not None else _envelope_findings(incoming, decoded.facts, wallet)
    if not extra:
        return decoded
    facts = decoded.facts
    return DecodedDraft(
        decoded.id, decoded.chain, decoded.payload, decoded.summary,
        DraftFacts(facts.draft_id, facts.chain, facts.asset, facts.amount, facts.destinations,
                   facts.fee, facts.fee_rate, facts.contract, (*facts.findings, *extra)),
        decoded.claims, decoded.psbt, decoded.view, decoded.cancellation,
    )


def _decode_bitcoin(
    incoming: IncomingDraft, wallet: RegisteredWallet, settings: BitcoinSettings,
    parsed: Psbt | None, stored: bool,
) -> DecodedDraft:
    psbt = parsed if parsed is not None else read_psbt(incoming.payload, incoming.source, settings)
    # Only the keys imported at the ceremony can sign: the pool bounds our scripts.
    settings = replace(settings, receive_keys=wallet.receive_keys, change_keys=wallet.change_keys)
    view = review_draft(psbt, wallet.bitcoin, settings)
    identifier = draft_id("bitcoin", transaction_bytes(psbt.tx))
    external = [o for o in view.outputs if o.kind == "EXTERNAL"]
    fee = view.fee if view.fee is not None and view.fee >= 0 else None
    rate = view.fee_rate if fee is not None else None
    facts = DraftFacts(
        draft_id=identifier, chain="bitcoin", asset="BTC",
        amount=Decimal(view.sent) / SATS,
        destinations=tuple(o.address for o in external),
        # A negative fee (outputs above inputs) is no fee: the structural finding
        # outputs_exceed_inputs rejects the draft, and the fee rules have nothing to judge.
        fee=Decimal(fee) / SATS if fee is not None else None,
        fee_rate=Decimal(str(round(rate, 3))) if rate is not None else None,
        findings=tuple((f.code, f.message) for f in view.findings),
    )
    claims = tuple(f"btc:{line.outpoint}" for line in view.inputs)
    payload = incoming.payload if stored else psbt_bytes(psbt)
    return DecodedDraft(identifier, "bitcoin", payload, _bitcoin_summary(view),
                        facts, claims, psbt, view)


def _bitcoin_summary(view: DraftView) -> dict[str, Any]:
    words = [f"Send {btc(o.amount)} BTC to {o.address}" for o in view.outputs
             if o.kind == "EXTERNAL"]
    words += [f"Change {btc(o.amount)} BTC back to our {o.path} (verified)" for o in view.outputs
              if o.kind != "EXTERNAL"]
    rate = f"{view.fee_rate:.1f} sat/vB" if view.fee_rate is not None else "unknown rate"
    words.append(f"Fee {btc(view.fee) or 'UNKNOWN'} BTC ({rate}, ~{view.vsize} vB)")
    if view.timelock is not None:
        words.append(view.timelock)
    return {
        "words": words,
        "inputs": [{"outpoint": i.outpoint, "amount": btc(i.amount), "paths": i.paths,
                    "signed_by": list(i.signed_by)} for i in view.inputs],
        "outputs": [{"address": o.address, "amount": btc(o.amount), "kind": o.kind,
                     "path": o.path} for o in view.outputs],
        "total_in": btc(view.total_in), "total_out": btc(view.total_out),
        "sent": btc(view.sent), "fee": btc(view.fee),
        "fee_rate": view.fee_rate, "vsize": view.vsize, "locktime": view.locktime,
        "rbf": view.rbf, "version": view.version, "sequences": list(view.sequences),
    }


def _tokens(policy: Policy | None, chain_id: int) -> TokenRegistry:
    """The policy's ERC-20 assets are the token registry: unknown tokens are unknown calls."""
    tokens = []
    if policy is not None:
        for symbol, asset in policy.document.assets.items():
            if asset.chain == "ethereum" and asset.contract:
                tokens.append(Token(symbol, asset.unit_decimals, asset.contract, chain_id))
    return TokenRegistry(tuple(tokens))


def _safe_settings(policy: Policy | None) -> Settings:
    """Refunds and the block gas limit come from the policy's [ethereum] section."""
    if policy is None:
        return Settings()
    rules = policy.document.ethereum
    return Settings(allow_refund_params=rules.allow_refunds, max_refund_wei=rules.max_refund_wei,
                    block_gas_limit=rules.block_gas_limit)


def _decode_safe(
    incoming: IncomingDraft, wallet: RegisteredWallet, policy: Policy | None,
    nonces: NonceState | None, cancels: str | None,
) -> DecodedDraft:
    tx = parse_safe_tx_json(incoming.payload, incoming.source)
    findings: list[tuple[str, str]] = []
    if wallet.chain_id is None:
        raise Rejected("no_ethereum", f"{incoming.source}: the registered wallet has no Safe")
    if wallet.safe is None:
        findings.append(("no_safe_registered", "no Safe address is registered: "
                         "run 'airsign wallet set-safe ADDRESS --holders H,H'"))
    settings = _safe_settings(policy)
    view = decode_safe_tx(tx, _tokens(policy, wallet.chain_id), settings)
    findings += [(f.code, f.message) for f in screen_safe_tx(
        tx, view, settings, safe=wallet.safe or tx.safe, chain_id=wallet.chain_id,
        last_nonce=None, safe_version=wallet.safe_version)]
    if nonces is not None:  # stale_nonce and nonce_gap: safe_nonces.py
        findings += nonces.findings(tx.nonce)
    identifier = draft_id("ethereum", safe_tx_hash(tx))
    if cancels is not None:
        facts = _cancellation_facts(identifier, tx, findings, cancels)
    else:
        facts = _safe_facts(identifier, view, findings)
    claims = (f"safe:{tx.chain_id}:{tx.safe.lower()}:{tx.nonce}",)
    return DecodedDraft(identifier, "ethereum", canonical_json(tx.to_json()),
                        _safe_summary(tx, view), facts, claims, cancellation=cancels is not None)


def _safe_facts(
    identifier: str, view: OperatorView, findings: list[tuple[str, str]]
) -> DraftFacts:
    transfer = view.transfer
    if transfer is None or transfer.asset is None or transfer.amount is None:
        found = [*findings]
        refused_calls = ("delegatecall", "self_call", "self_transfer", "unknown_call")
        if not any(code in refused_calls for code, _ in found):
            found.append(("not_a_transfer", "the Safe transaction is not a single ETH or "
                          "ERC-20 transfer; only transfers are signed"))
        return DraftFacts(identifier, "ethereum", "ETH", Decimal(0), (), findings=tuple(found))
    contract = transfer.to if transfer.action != "eth_transfer" else None
    return DraftFacts(
        identifier, "ethereum", transfer.asset, Decimal(transfer.amount),
        (transfer.destination or "",), contract=contract, findings=tuple(findings),
    )


def _cancellation_facts(
    identifier: str, tx: SafeTx, findings: list[tuple[str, str]], cancels: str
) -> DraftFacts:
    """A cancellation calls the Safe itself with nothing (self_call is what it is); any
    other difference from the standard shape refuses it."""
    found = [f for f in findings if f[0] != "self_call"]
    problems = cancellation_problems(tx)
    if problems:
        found.append(("not_a_cancellation", f"the cancellation of draft {cancels} is not a "
                      "zero-value call from the Safe to itself: " + "; ".join(problems)))
    return DraftFacts(identifier, "ethereum", "ETH", Decimal(0), (), findings=tuple(found))


def _safe_summary(tx: SafeTx, view: OperatorView) -> dict[str, Any]:
    return {"words": list(view.words), "safe_tx": tx.to_json(), "decoded": view.to_json(),
            "safeTxHash": "0x" + view.safe_tx_hash.hex()}


def _envelope_findings(
    incoming: IncomingDraft, facts: DraftFacts, wallet: RegisteredWallet
) -> list[tuple[str, str]]:
    """The envelope's request must equal the decoded effect, on the registered network."""
    envelope = incoming.envelope
    if envelope is None:
        return []
    draft = envelope.draft
    expected_network = wallet.network if facts.chain == "bitcoin" else str(wallet.chain_id)
    found = []
    if draft.get("chain") != facts.chain or str(draft.get("network")) != expected_network:
        found.append(("wrong_network", f"envelope says {draft.get('chain')} "
                      f"{draft.get('network')}, the wallet is {facts.chain} {expected_network}"))
    request = envelope.request
    problems = []
    # Each problem names which side says what: the request (the vault's words) and the
    # payload (what would be signed, as decoded here).
    if request.get("asset") != facts.asset:
        problems.append(f"asset: request {request.get('asset')}, payload {facts.asset}")
    try:
        if Decimal(str(request.get("amount"))) != facts.amount:
            problems.append(f"amount: request {request.get('amount')} {request.get('asset')}, "
                            f"payload {facts.amount} {facts.asset}")
    except ArithmeticError:
        problems.append(f"amount: request \"{request.get('amount')}\" is not a number")
    if not _same_destination(facts, str(request.get("destination", ""))):
        problems.append(f"destination: request {request.get('destination')}, payload "
                        f"{', '.join(facts.destinations) or 'none'}")
    if problems:
        found.append(("request_mismatch", "the payload does not do what the request says: "
                      + "; ".join(problems)))
    return found


def _same_destination(facts: DraftFacts, requested: str) -> bool:
    if len(facts.destinations) != 1:
        return False
    try:
        return normalise_address(facts.chain, requested) == normalise_address(
            facts.chain, facts.destinations[0])
    except ValueError:
        return False
