"""Structural checks of a Safe transaction: every finding is reported, none stops the others."""

from __future__ import annotations

from signer.chains.ethereum import view as v
from signer.chains.ethereum.execution import execution_findings
from signer.chains.ethereum.fields import ZERO_ADDRESS, same_address
from signer.chains.ethereum.safe_hash import hash_mismatch_message, safe_tx_hash
from signer.chains.ethereum.safe_tx import DELEGATECALL, SafeTx
from signer.chains.ethereum.settings import Settings
from signer.chains.finding import Finding


def screen_safe_tx(
    tx: SafeTx,
    view: v.OperatorView,
    settings: Settings,
    *,
    safe: str,
    chain_id: int,
    last_nonce: int | None,
    safe_version: str | None = None,
) -> list[Finding]:
    """Check ``tx`` (decoded as ``view``) against the registered Safe; empty list means clean.

    ``last_nonce`` is the highest nonce already signed for this Safe (None if none).
    """
    computed = safe_tx_hash(tx)
    if view.safe_tx_hash != computed:
        raise ValueError("the operator view was decoded from another transaction")
    findings: list[Finding] = []
    if tx.claimed_hash is not None and tx.claimed_hash != computed:
        findings.append(Finding("hash_mismatch", hash_mismatch_message(tx.claimed_hash, computed)))
    findings += _registration(tx, safe, chain_id, safe_version)
    if last_nonce is not None and tx.nonce < last_nonce:
        findings.append(
            Finding(
                "stale_nonce",
                f"nonce {tx.nonce} is below nonce {last_nonce} already signed for this Safe: "
                "a replay or a reordered draft",
            )
        )
    findings += execution_findings(tx, settings)
    if tx.operation == DELEGATECALL and tx.value:
        # The Safe delegatecalls without value: the signed value is never sent, and no call
        # line shows it, so the holders would sign a field that does something else than it says.
        findings.append(
            Finding(
                "delegatecall",
                f"value {tx.value} wei with operation=1 (delegatecall) to {tx.to}: a "
                "delegatecall sends no ETH, so the signed value is not what executes; expected 0",
            )
        )
    for call in view.calls:
        findings += _call(call, tx, settings, batch=view.batch_library is not None)
    return findings


def _registration(tx: SafeTx, safe: str, chain_id: int, safe_version: str | None) -> list[Finding]:
    found = []
    if tx.chain_id != chain_id:
        found.append(
            Finding("wrong_chain", f"chainId {tx.chain_id} is not the registered chain {chain_id}")
        )
    if not same_address(tx.safe, safe):
        found.append(Finding("wrong_safe", f"safe {tx.safe} is not the registered Safe {safe}"))
    if safe_version is not None and tx.safe_version != safe_version:
        found.append(
            Finding(
                "wrong_safe_version",
                f"safeVersion {tx.safe_version} is not the registered Safe's {safe_version}: "
                "the hash would be computed for another contract version",
            )
        )
    return found


def _call(call: v.DecodedCall, tx: SafeTx, settings: Settings, batch: bool) -> list[Finding]:
    where = f"call {call.index} of the batch" if batch else "the transaction"
    found = []
    if call.action == v.DELEGATECALL:
        if batch:
            why = "delegatecall inside a batch is never allowed"
        elif settings.is_trusted_multisend(tx.chain_id, call.to):
            why = "a trusted batch library may only be delegatecalled with multiSend(bytes)"
        else:
            why = f"not a trusted MultiSendCallOnly library on chain {tx.chain_id}"
        found.append(
            Finding(
                "delegatecall",
                f"{where}: operation=1 (delegatecall) to {call.to}: {why}; it would run that "
                "contract's code with the Safe's storage and funds",
            )
        )
    if call.action == v.SELF_CALL and call.value:
        # No admin setting covers it: it withdraws nothing, and the call fails (nonce
        # consumed or blocked) when the Safe holds less or the function is not payable.
        found.append(
            Finding(
                "self_transfer",
                f"{where}: sends {call.value} wei of ETH from the Safe to the Safe itself "
                f"({call.function}): nothing is withdrawn and the nonce is used up",
            )
        )
    if call.action == v.ERC20_TRANSFER and same_address(call.destination or "", tx.safe):
        found.append(
            Finding(
                "self_transfer",
                f"{where}: transfers {call.amount} {call.asset} from the Safe to the Safe "
                "itself: nothing is withdrawn and the nonce is used up",
            )
        )
    if call.action in v.TRANSFERS and same_address(call.destination or "", ZERO_ADDRESS):
        # Not a withdrawal to anyone: a token transfer to it reverts (OpenZeppelin-style
        # tokens), so the Safe blocks or burns the nonce; ETH sent to it is burnt.
        found.append(
            Finding(
                "zero_destination",
                f"{where}: sends {call.amount} {call.asset} to the zero address {ZERO_ADDRESS}: "
                "a token transfer to it reverts and uses up or blocks the nonce, ETH is burnt",
            )
        )
    plain_transfer = call.action == v.SELF_CALL and call.value and not call.data
    if call.action == v.SELF_CALL and not plain_transfer and not settings.allow_self_calls:
        found.append(
            Finding(
                "self_call",
                f"{where}: calls the Safe itself ({call.function}): changes to owners, "
                "threshold, modules, guard or handler need the admin policy",
            )
        )
    if call.action == v.UNKNOWN_CALL and not settings.allow_unknown_calls:
        found.append(Finding("unknown_call", f"{where}: {call.words}"))
    if call.action in v.ERC20_ACTIONS and call.value:
        found.append(
            Finding(
                "value_with_call",
                f"{where}: sends {call.value} wei of ETH along with the {call.asset} "
                f"{call.function} call",
            )
        )
    return found
