"""A proof request decoded for review: which wallet position each address is, the Safe and
its hashes, and every reason not to sign (the message's screening, addresses not ours, a
Safe that is not the registered one).

The findings decide alone: a proof moves nothing (``moves_funds=False``), so the velocity,
destination and breaker rules have nothing to judge, and it never enters the velocity
ledger. Refused addresses are findings, one per address, so the review names each of
them and the verdict rejects the whole draft: nothing of it is ever signed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from signer.chains.facts import DraftFacts
from signer.chains.finding import Finding
from signer.chains.kind import DecodeContext, Decoded, draft_id
from signer.chains.proof import bip322
from signer.chains.proof.bitcoin_addresses import ProofAddress, screen_addresses
from signer.chains.proof.message_rules import ProofRules, message_findings
from signer.chains.proof.request import ProofRequest, SafeTarget, parse_proof_request_json
from signer.chains.proof.safe_message import PROOF_SAFE_VERSIONS
from signer.chains.registered_wallet import RegisteredWallet

NAME = "proof"
# Refused addresses named one by one in the findings; the rest are counted in one more.
_NAMED_REFUSALS = 20


@dataclass(frozen=True)
class SafeProof:
    """The registered Safe as the proof signs for it: the hashes every owner compares."""

    safe: str
    chain_id: int
    version: str
    message_hash: bytes  # EIP-191 hash of the message text
    safe_message_hash: bytes  # what each owner's key signs

    def to_json(self) -> dict[str, Any]:
        return {"safe": self.safe, "chainId": self.chain_id, "version": self.version,
                "messageHash": "0x" + self.message_hash.hex(),
                "safeMessageHash": "0x" + self.safe_message_hash.hex()}


@dataclass(frozen=True)
class Reviewed:
    """What the holders reviewed, kept so that signing signs exactly that."""

    request: ProofRequest
    addresses: tuple[ProofAddress, ...]
    safe: SafeProof | None


def request_of(payload: bytes, source: str, parsed: object = None) -> ProofRequest:
    if isinstance(parsed, ProofRequest):
        return parsed
    return parse_proof_request_json(payload, source)


def _rules(rules: object) -> ProofRules | None:
    """The policy's [proofs] table (signer/risk/policy.py ProofsPolicy) as the screen's rules."""
    found = getattr(rules, "rules", None)
    return found if isinstance(found, ProofRules) else None


def _message_findings(message: str, rules: ProofRules | None) -> list[Finding]:
    if rules is None:
        return [Finding("proof_no_policy", "the applied policy has no [proofs] table: no "
                        "message prefix is allowed, so no proof of reserves is signed")]
    return [replace(f, where="message") for f in message_findings(message, rules)]


def _addresses(
    request: ProofRequest, wallet: RegisteredWallet
) -> tuple[list[ProofAddress], list[Finding], list[dict[str, Any]]]:
    if not request.bitcoin_addresses:
        return [], [], []
    found, refused = screen_addresses(wallet.bitcoin, request.bitcoin_addresses,
                                      wallet.receive_keys, wallet.change_keys)
    findings = [Finding(r.code, r.message, f"bitcoin.addresses[{r.position}]")
                for r in refused[:_NAMED_REFUSALS]]
    if len(refused) > _NAMED_REFUSALS:
        findings.append(Finding(refused[_NAMED_REFUSALS].code, f"{len(refused) - _NAMED_REFUSALS}"
                                " more addresses refused (the first ones are named above)"))
    shown = [{"address": a.address, "path": a.path, "ours": True} for a in found]
    shown += [{"address": r.address, "ours": False, "code": r.code, "why": r.message}
              for r in refused[:_NAMED_REFUSALS]]
    return found, findings, shown


def _safe(
    target: SafeTarget, message: str, wallet: RegisteredWallet
) -> tuple[SafeProof | None, list[Finding]]:
    findings = []
    if wallet.safe is None or wallet.chain_id is None:
        return None, [Finding("proof_no_safe", "the request names a Safe, but no Safe is "
                              "registered: run 'airsign wallet set-safe ADDRESS --holders H,H'",
                              "ethereum.safe")]
    if target.safe.lower() != wallet.safe.lower():
        findings.append(Finding("proof_safe_not_ours", f"the request names Safe {target.safe}; "
                                f"the registered Safe is {wallet.safe}", "ethereum.safe"))
    if target.chain_id != wallet.chain_id:
        findings.append(Finding("proof_wrong_chain", f"the request names chain id "
                                f"{target.chain_id}; the registered Safe is on chain id "
                                f"{wallet.chain_id}", "ethereum.chainId"))
    version = wallet.safe_version or ""
    if version not in PROOF_SAFE_VERSIONS:
        findings.append(Finding("proof_safe_version", f"Safe version {version!r}: ownership "
                                f"proofs are made only for Safe {', '.join(PROOF_SAFE_VERSIONS)}"
                                " (the versions tested against the real contracts)"))
    if findings:
        return None, findings
    from signer.chains.proof.safe_message import message_hash, safe_message_hash  # eth-account

    digest = message_hash(message)
    return SafeProof(wallet.safe, wallet.chain_id, version, digest,
                     safe_message_hash(digest, wallet.safe, wallet.chain_id, version)), []


def decode(payload: bytes, source: str, context: DecodeContext) -> Decoded:
    request = request_of(payload, source, context.parsed)
    canonical = request.canonical()
    identifier = draft_id(NAME, canonical)
    wallet = context.wallet
    findings = _message_findings(request.message, _rules(context.rules))
    addresses, refused, shown = _addresses(request, wallet)
    findings += refused
    safe = None
    if request.ethereum is not None:
        safe, problems = _safe(request.ethereum, request.message, wallet)
        findings += problems
    facts = DraftFacts(identifier, NAME, "", Decimal(0), (), findings=tuple(findings))
    summary = {
        "words": [f"Proof of reserves: {len(request.bitcoin_addresses)} Bitcoin address(es)"
                  + (f" and Safe {request.ethereum.safe}" if request.ethereum else "")],
        "message": request.message,
        "message_sha256": hashlib.sha256(request.message.encode("utf-8")).hexdigest(),
        "bip322_message_hash": bip322.message_hash(request.message).hex(),
        "network": wallet.network,
        "bitcoin": shown,
        "ethereum": safe.to_json() if safe else (
            {"safe": request.ethereum.safe, "chainId": request.ethereum.chain_id}
            if request.ethereum else None),
    }
    return Decoded(identifier, NAME, canonical, summary, facts, (), moves_funds=False,
                   parsed=Reviewed(request, tuple(addresses), safe))
