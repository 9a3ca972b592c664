"""Structural checks of a PSBT against the registered wallet, run before any signature.

Each check adds a Finding (stable code + message) instead of stopping, so the operator
sees every problem of a draft at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from embit.psbt import InputScope, OutputScope

from signer.chains.bitcoin.origins import (
    SCAN_BEYOND_POOL,
    Branch,
    HardenedStep,
    NotOurs,
    claims_wallet,
    own_keys_elsewhere,
    own_script,
    wallet_branch,
)
from signer.chains.bitcoin.scripts import is_witness_program, p2sh_script, p2wsh_script
from signer.chains.bitcoin.settings import Settings
from signer.chains.bitcoin.wallet import RECEIVE, MultisigWallet
from signer.chains.finding import Finding


@dataclass
class InputFacts:
    """What the checks established about one input."""

    amount: int | None = None  # proven amount (or witness-only amount when allowed)
    claimed_amount: int | None = None  # what the PSBT says, proven or not
    script: bytes = b""
    branch: Branch | None = None  # set only when the input is provably ours
    findings: list[Finding] = field(default_factory=list)


@dataclass
class OutputFacts:
    """What the checks established about one output."""

    branch: Branch | None = None  # verified change (or receive) output of the wallet
    findings: list[Finding] = field(default_factory=list)


def _previous_output(inp: InputScope, index: int, facts: InputFacts, settings: Settings) -> None:
    where = f"input {index}"
    witness = inp.witness_utxo
    full = inp.non_witness_utxo
    if witness is not None:
        facts.claimed_amount = int(witness.value)
        facts.script = bytes(witness.script_pubkey.data)
    if full is None:
        if witness is None:
            facts.findings.append(Finding("unproven_amount", f"{where}: no previous output given"))
        elif settings.allow_witness_only:
            facts.amount = facts.claimed_amount
        else:
            facts.findings.append(
                Finding(
                    "unproven_amount",
                    f"{where}: only witness_utxo given; the amount is unproven without the "
                    "previous transaction (segwit fee attack); add non_witness_utxo",
                )
            )
        return
    if bytes(full.txid()) != bytes(inp.txid):
        facts.findings.append(
            Finding("unproven_amount", f"{where}: non_witness_utxo is not the spent transaction")
        )
        return
    if inp.vout >= len(full.vout):
        facts.findings.append(Finding("unproven_amount", f"{where}: prevout index out of range"))
        return
    proven = full.vout[inp.vout]
    if witness is not None and (
        int(witness.value) != int(proven.value) or witness.script_pubkey != proven.script_pubkey
    ):
        facts.findings.append(
            Finding(
                "unproven_amount",
                f"{where}: witness_utxo says {witness.value} sat but the previous transaction "
                f"pays {proven.value} sat",
            )
        )
        return
    facts.amount = facts.claimed_amount = int(proven.value)
    facts.script = bytes(proven.script_pubkey.data)


def _script_consistency(inp: InputScope, index: int, facts: InputFacts) -> None:
    """BIP174's signer checks: every script given must hash to the one it claims to be."""
    where = f"input {index}"
    spent = facts.script
    redeem = bytes(inp.redeem_script.data) if inp.redeem_script is not None else None
    witness = bytes(inp.witness_script.data) if inp.witness_script is not None else None
    problem = None
    if redeem is not None and p2sh_script(redeem) != spent:
        problem = "redeemScript does not match the scriptPubKey"
    elif inp.witness_utxo is not None and not is_witness_program(redeem or spent):
        problem = "witness_utxo given for an input that is not segwit"
    elif witness is not None and p2wsh_script(witness) != (redeem or spent):
        problem = "witnessScript does not match the " + (
            "redeemScript" if redeem else "scriptPubKey"
        )
    if problem:
        facts.findings.append(Finding("script_mismatch", f"{where}: {problem}"))


_BRANCH_NAME = {0: "receive", 1: "change"}


def _ownership(
    inp: InputScope, index: int, wallet: MultisigWallet, facts: InputFacts, settings: Settings
) -> None:
    where = f"input {index}"
    try:
        if inp.redeem_script is not None or inp.witness_script is None:
            raise NotOurs("not a bare P2WSH input with a witnessScript")
        branch = wallet_branch(wallet, inp.bip32_derivations)
        expected = wallet.witness_script(branch.change, branch.index)
        if bytes(inp.witness_script.data) != expected:
            raise NotOurs(f"witnessScript is not the wallet's at /{branch.change}/{branch.index}")
        if facts.script != p2wsh_script(expected):
            raise NotOurs("the spent output is not the wallet's P2WSH script")
    except NotOurs as reason:
        facts.findings.append(Finding("foreign_input", f"{where}: {reason}"))
        return
    facts.branch = branch
    pool = settings.pool(branch.change)
    if branch.index >= pool:
        # Refused at import, not only when a token finds it has no such key at signing.
        facts.findings.append(Finding(
            "key_absent", f"{where}: needs the keys at /{branch.change}/{branch.index}, beyond "
            f"the {pool} {_BRANCH_NAME[branch.change]} keys the tokens hold (/{branch.change}/0.."
            f"/{branch.change}/{pool - 1})"))


def _signature_state(
    inp: InputScope, index: int, wallet: MultisigWallet, facts: InputFacts
) -> None:
    where = f"input {index}"
    if inp.sighash_type is not None and inp.sighash_type != 1:
        facts.findings.append(
            Finding("sighash_not_all", f"{where}: sighash type {inp.sighash_type}, only ALL (1)")
        )
    if inp.final_scriptsig is not None or inp.final_scriptwitness is not None:
        facts.findings.append(Finding("already_signed", f"{where}: already finalized"))
    elif facts.branch is not None:
        keys = set(wallet.child_pubkeys(facts.branch.change, facts.branch.index).values())
        count = sum(1 for key in inp.partial_sigs if key.sec() in keys)
        if count >= wallet.threshold:
            facts.findings.append(
                Finding("already_signed", f"{where}: already has {count} of {wallet.threshold}")
            )


def inspect_input(
    inp: InputScope, index: int, wallet: MultisigWallet, settings: Settings
) -> InputFacts:
    """Amount proof, script consistency, ownership, sighash type and signature count."""
    facts = InputFacts()
    _previous_output(inp, index, facts, settings)
    _script_consistency(inp, index, facts)
    _ownership(inp, index, wallet, facts, settings)
    _signature_state(inp, index, wallet, facts)
    return facts


def _pool_findings(where: str, branch: Branch, marked: bool, settings: Settings) -> list[Finding]:
    """Our output must be one the tokens can spend again: inside the pool, change if marked."""
    found = []
    at = f"/{branch.change}/{branch.index}"
    if marked and branch.change == RECEIVE:
        found.append(Finding("change_on_receive_branch", f"{where}: presented as change but "
                             f"derives on the receive branch at {at}"))
    pool = settings.pool(branch.change)
    if branch.index >= pool:
        found.append(Finding(
            "change_beyond_pool", f"{where}: pays the wallet's {at}"
            + ("" if marked else " (no derivation data)")
            + f", index {branch.index} is beyond the {pool} {_BRANCH_NAME[branch.change]} keys "
            "the tokens hold"))
    return found


def inspect_output(
    out: OutputScope, index: int, wallet: MultisigWallet, settings: Settings
) -> OutputFacts:
    """An output claiming to be ours must derive to our script, inside the key pool, on
    the change branch; ours unclaimed is flagged."""
    facts = OutputFacts()
    where = f"output {index}"
    script = bytes(out.script_pubkey.data)
    if claims_wallet(wallet, out.bip32_derivations):
        try:
            branch = wallet_branch(wallet, out.bip32_derivations)
            if wallet.script_pubkey(branch.change, branch.index) != script:
                raise NotOurs(
                    f"pays another script than the wallet's /{branch.change}/{branch.index}"
                )
            if out.witness_script is not None and bytes(out.witness_script.data) != (
                wallet.witness_script(branch.change, branch.index)
            ):
                raise NotOurs("witnessScript is not the wallet's")
        except HardenedStep as reason:
            facts.findings.append(Finding("change_hardened", f"{where}: claims to be change "
                                          f"but {reason}; the wallet derives only unhardened"))
            return facts
        except NotOurs as reason:
            facts.findings.append(
                Finding("fraudulent_change", f"{where}: claims to be change but {reason}")
            )
            return facts
        facts.findings += _pool_findings(where, branch, True, settings)
        facts.branch = branch
        return facts
    receive, change = (settings.receive_keys + SCAN_BEYOND_POOL,
                       settings.change_keys + SCAN_BEYOND_POOL)
    hit = own_script(wallet, script, receive, change)
    if hit is None:
        if (other := own_keys_elsewhere(wallet, script, receive, change)) is not None:
            at, form = other
            facts.findings.append(Finding(
                "own_keys_other_script", f"{where}: pays the wallet's keys at /{at.change}/"
                f"{at.index} as {form}, a script the wallet does not use: the appliance never "
                "spends it, so these coins would leave its reach"))
        return facts
    if hit.index >= settings.pool(hit.change):
        facts.findings += _pool_findings(where, hit, False, settings)
    else:
        facts.findings.append(
            Finding(
                "unmarked_own_output",
                f"{where}: pays the wallet's own /{hit.change}/{hit.index} without derivation data",
            )
        )
    return facts
