"""Decode an untrusted draft ourselves, through its kind: what it does, why not to sign
it, what it claims.

Nothing the online side says is taken on trust: the kind parses the payload and
recomputes its hash, and an envelope's `request` is only compared with the decoded effect.
"""

from __future__ import annotations

from dataclasses import replace

from signer.chains import kinds
from signer.chains.finding import Finding
from signer.chains.kind import AssetRule, DecodeContext, Decoded
from signer.chains.registered_wallet import RegisteredWallet
from signer.risk import Policy
from signer.transport.incoming import IncomingDraft
from signer.usecases.appliance import Appliance
from signer.usecases.claim_history import StoredClaims
from signer.usecases.policy import active_policy


def context(
    app: Appliance, chain: str, wallet: RegisteredWallet, *, judge_claims: bool = True,
    at_import: bool = False, stored: bool = False, parsed: object | None = None,
    cancels: str | None = None,
) -> DecodeContext:
    """What a kind may use to decode: the policy's section named after it and its assets,
    the appliance's settings, and (``judge_claims``) the claims stored drafts hold."""
    policy = active_policy(app)
    return DecodeContext(
        wallet=wallet, rules=_rules(policy, kinds.kind(chain).policy_section),
        assets=_assets(policy),
        witness_only_inputs=app.home.config.settings.accept_witness_only_inputs,
        history=StoredClaims(app) if judge_claims else None, at_import=at_import,
        stored=stored, parsed=parsed, cancels=cancels)


def _rules(policy: Policy | None, section: str) -> object | None:
    return None if policy is None else getattr(policy.document, section, None)


def _assets(policy: Policy | None) -> tuple[AssetRule, ...]:
    if policy is None:
        return ()
    return tuple(AssetRule(symbol, asset.chain, asset.contract, asset.unit_decimals)
                 for symbol, asset in policy.document.assets.items())


def decode(incoming: IncomingDraft, wallet: RegisteredWallet, context: DecodeContext) -> Decoded:
    """The draft as its kind decodes it, with the envelope's claims checked against it. A
    cancellation is the quorum's (`airsign cancel`): an envelope the vault sent the same
    shape in earlier says nothing about it, and must not make the remedy unsignable."""
    decoded = kinds.kind(incoming.chain).decode(incoming.payload, incoming.source, context)
    if context.cancels is not None:
        return decoded
    extra = _envelope_findings(incoming, decoded, wallet)
    if not extra:
        return decoded
    return _with_findings(decoded, extra)


def _with_findings(decoded: Decoded, extra: list[Finding]) -> Decoded:
    return replace(decoded, facts=decoded.facts.with_findings(*extra))


def _envelope_findings(
    incoming: IncomingDraft, decoded: Decoded, wallet: RegisteredWallet
) -> list[Finding]:
    """The envelope's request must equal the decoded effect, on the registered network."""
    envelope = incoming.envelope
    if envelope is None:
        return []
    draft = envelope.draft
    facts = decoded.facts
    kind = kinds.kind(facts.chain)
    expected_network = kind.wallet_network(wallet)
    found = []
    if draft.get("chain") != facts.chain or str(draft.get("network")) != expected_network:
        found.append(Finding("wrong_network", f"envelope says {draft.get('chain')} "
                             f"{draft.get('network')}, the wallet is {facts.chain} "
                             f"{expected_network}"))
    return found + kind.request_findings(envelope.request, decoded)
