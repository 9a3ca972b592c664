"""The operator's view of a Bitcoin draft: what it spends, where it pays, what it costs."""

from __future__ import annotations

from dataclasses import dataclass, replace

from embit.networks import NETWORKS
from embit.psbt import PSBT

from signer.chains.bitcoin.addresses import address_of
from signer.chains.bitcoin.checks import Finding, InputFacts, inspect_input, inspect_output
from signer.chains.bitcoin.settings import Settings
from signer.chains.bitcoin.standardness import (
    estimated_weight,
    relay_fee_findings,
    standardness_findings,
)
from signer.chains.bitcoin.timelocks import FINAL, sequences, timelock_findings, timelock_line
from signer.chains.bitcoin.wallet import MultisigWallet, format_path

CHANGE_VERIFIED = "change (verified)"
EXTERNAL = "EXTERNAL"


@dataclass(frozen=True)
class InputLine:
    """One spent output."""

    outpoint: str  # txid:vout
    amount: int | None  # satoshis, None when unproven
    paths: dict[str, str]  # holder -> full BIP32 path of their key (ours only)
    keys: dict[str, str]  # holder -> compressed public key hex (ours only)
    signed_by: tuple[str, ...]


@dataclass(frozen=True)
class OutputLine:
    """One payment."""

    address: str
    amount: int
    kind: str  # CHANGE_VERIFIED or EXTERNAL
    path: str | None  # /change/index of verified change


@dataclass(frozen=True)
class DraftView:
    """Everything the review screen shows, and every finding against signing."""

    inputs: tuple[InputLine, ...]
    outputs: tuple[OutputLine, ...]
    total_in: int | None
    total_out: int
    sent: int  # to EXTERNAL outputs
    fee: int | None
    vsize: int  # estimated once every input carries its 2-of-3 witness
    fee_rate: float | None  # sat/vB
    locktime: int
    rbf: bool
    findings: tuple[Finding, ...]
    version: int = 2
    sequences: tuple[int, ...] = ()  # each input's nSequence
    weight: int = 0  # estimated once signed, like vsize

    @property
    def signable(self) -> bool:
        return not self.findings

    @property
    def timelock(self) -> str | None:
        """One plain line on the draft's nLockTime and unusual nSequences, None if usual."""
        return timelock_line(self.version, self.locktime, self.sequences)


def _input_line(psbt: PSBT, index: int, facts: InputFacts, wallet: MultisigWallet) -> InputLine:
    inp = psbt.inputs[index]
    paths: dict[str, str] = {}
    keys: dict[str, str] = {}
    signed: list[str] = []
    if facts.branch is not None:
        pubkeys = wallet.child_pubkeys(facts.branch.change, facts.branch.index)
        sig_keys = {key.sec() for key in inp.partial_sigs}
        for holder, pubkey in pubkeys.items():
            paths[holder] = format_path(
                wallet.child_path(holder, facts.branch.change, facts.branch.index)
            )
            keys[holder] = pubkey.hex()
            if pubkey in sig_keys:
                signed.append(holder)
    return InputLine(
        f"{bytes(inp.txid).hex()}:{inp.vout}", facts.amount, paths, keys, tuple(signed)
    )


def _transaction_findings(
    psbt: PSBT, wallet: MultisigWallet, view: DraftView, settings: Settings
) -> list[Finding]:
    found = []
    seen: set[tuple[bytes, int]] = set()
    for index, inp in enumerate(psbt.inputs):
        outpoint = (bytes(inp.txid), inp.vout)
        if outpoint in seen:
            found.append(
                Finding(
                    "duplicate_input", f"input {index}: spends {view.inputs[index].outpoint} twice"
                )
            )
        seen.add(outpoint)
    expected = NETWORKS[{"mainnet": "main"}.get(wallet.network, "test")]["xpub"]
    for xpub in psbt.xpubs:
        if bytes(xpub.version) != expected:
            found.append(
                Finding(
                    "wrong_network", f"global xpub {xpub.to_base58()[:12]}...: not {wallet.network}"
                )
            )
    if view.fee is None:
        return found
    if view.fee < 0:
        found.append(
            Finding(
                "outputs_exceed_inputs",
                f"outputs {view.total_out} sat > inputs {view.total_in} sat",
            )
        )
        return found
    base = view.sent or view.total_out
    if view.fee > settings.max_fee_sats:
        found.append(
            Finding("fee_too_high", f"fee {view.fee} sat exceeds {settings.max_fee_sats} sat")
        )
    if view.fee * 100 > settings.max_fee_percent * base:
        found.append(
            Finding(
                "fee_too_high",
                f"fee {view.fee} sat exceeds {settings.max_fee_percent}% of {base} sat",
            )
        )
    if (
        settings.max_fee_rate is not None
        and view.fee_rate is not None
        and view.fee_rate > settings.max_fee_rate
    ):
        found.append(
            Finding(
                "fee_too_high",
                f"fee rate {view.fee_rate:.1f} sat/vB exceeds {settings.max_fee_rate}",
            )
        )
    return found


def review_draft(psbt: PSBT, wallet: MultisigWallet, settings: Settings | None = None) -> DraftView:
    """Decode and check a parsed PSBT; findings list every reason not to sign it."""
    settings = settings or Settings()
    in_facts = [inspect_input(inp, i, wallet, settings) for i, inp in enumerate(psbt.inputs)]
    out_facts = [inspect_output(out, i, wallet, settings) for i, out in enumerate(psbt.outputs)]
    outputs = []
    for out, facts in zip(psbt.outputs, out_facts, strict=True):
        script = bytes(out.script_pubkey.data)
        kind, path = EXTERNAL, None
        if facts.branch is not None:
            kind, path = CHANGE_VERIFIED, f"/{facts.branch.change}/{facts.branch.index}"
        outputs.append(OutputLine(address_of(script, wallet.network), int(out.value), kind, path))
    amounts = [f.amount for f in in_facts]
    total_in = None if None in amounts else sum(a for a in amounts if a is not None)
    total_out = sum(o.amount for o in outputs)
    fee = None if total_in is None else total_in - total_out
    weight = estimated_weight(psbt, wallet)
    vsize = (weight + 3) // 4
    sequence_list = sequences(psbt)
    view = DraftView(
        inputs=tuple(_input_line(psbt, i, f, wallet) for i, f in enumerate(in_facts)),
        outputs=tuple(outputs),
        total_in=total_in,
        total_out=total_out,
        sent=sum(o.amount for o in outputs if o.kind == EXTERNAL),
        fee=fee,
        vsize=vsize,
        fee_rate=None if fee is None else fee / vsize,
        locktime=int(psbt.locktime or 0),
        rbf=any(sequence < FINAL - 1 for sequence in sequence_list),
        findings=(),
        version=2 if psbt.tx_version is None else int(psbt.tx_version),
        sequences=sequence_list,
        weight=weight,
    )
    findings = [f for facts in in_facts for f in facts.findings]
    findings += [f for facts in out_facts for f in facts.findings]
    findings += _transaction_findings(psbt, wallet, view, settings)
    findings += standardness_findings(psbt, view.version, weight)
    findings += relay_fee_findings(fee, vsize)
    findings += timelock_findings(view.version, view.locktime, sequence_list,
                                  settings.max_locktime_height)
    return replace(view, findings=tuple(findings))
