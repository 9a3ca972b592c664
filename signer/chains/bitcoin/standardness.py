"""Only what the network would relay is signed: Bitcoin Core's standardness rules.

A signed transaction that no node relays is not a payment: its coins stay claimed by
the draft until a quorum releases them. These checks follow Bitcoin Core's policy
(``IsStandardTx``, ``GetDustThreshold``), narrowed to what a cold wallet pays to;
docs/bitcoin-relay.md states each rule and why.
"""

from __future__ import annotations

from embit.compact import to_bytes as compact_size
from embit.psbt import PSBT

from signer.chains.bitcoin.checks import Finding
from signer.chains.bitcoin.wallet import MultisigWallet

STANDARD_VERSIONS = (1, 2)
MAX_STANDARD_WEIGHT = 400_000  # weight units (MAX_STANDARD_TX_WEIGHT)
MIN_NONWITNESS_SIZE = 65  # bytes without witness (MIN_STANDARD_TX_NONWITNESS_SIZE)
MAX_OP_RETURN_SCRIPT = 83  # bytes, OP_RETURN and its pushes (MAX_OP_RETURN_RELAY)
DUST_RELAY_FEE = 3  # sat/vB (DUST_RELAY_TX_FEE, 3000 sat/kvB)
# Nodes before Core 29.1 refuse to relay under 1 sat/vB (DEFAULT_MIN_RELAY_TX_FEE, 1000
# sat/kvB); newer ones default lower. The bound most of the network applies is taken.
MIN_RELAY_FEE_RATE = 1  # sat/vB
# The size of the input that would later spend an output (GetDustThreshold): a witness
# program's input costs 32+4+1 + 107/4 witness + 4 = 67 vB, any other 32+4+1+107+4 = 148.
_SPEND_WITNESS, _SPEND_LEGACY = 67, 148
_OP_RETURN, _OP_PUSHDATA4, _OP_16 = 0x6A, 0x4E, 0x60


def script_type(script: bytes) -> str | None:
    """The standard output type a script is, or None (bare multisig, P2PK, unknown...)."""
    size = len(script)
    if size == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return "p2pkh"
    if size == 23 and script[:2] == b"\xa9\x14" and script[22] == 0x87:
        return "p2sh"
    if size == 22 and script[:2] == b"\x00\x14":
        return "p2wpkh"
    if size == 34 and script[:2] in (b"\x00\x20", b"\x51\x20"):
        return "p2wsh" if script[0] == 0 else "p2tr"
    if size and script[0] == _OP_RETURN and _push_only(script[1:]):
        return "op_return"
    return None


def _push_only(script: bytes) -> bool:
    """Only data pushes (and OP_1NEGATE/OP_1..OP_16), each within the script (IsPushOnly)."""
    at = 0
    while at < len(script):
        op = script[at]
        at += 1
        if op < 0x4C:
            at += op
        elif op <= _OP_PUSHDATA4:
            width = {0x4C: 1, 0x4D: 2, 0x4E: 4}[op]
            if at + width > len(script):
                return False
            at += width + int.from_bytes(script[at : at + width], "little")
        elif op > _OP_16:  # OP_1NEGATE, OP_RESERVED and OP_1..OP_16 count as pushes in Core
            return False
    return at == len(script)


def dust_threshold(script: bytes) -> int:
    """Smallest standard value of an output: what spending it would cost at 3 sat/vB.

    P2WPKH 294, P2WSH and P2TR 330, P2SH 540, P2PKH 546 sat; OP_RETURN has none.
    """
    if script[:1] == bytes([_OP_RETURN]):
        return 0
    output_size = 8 + len(compact_size(len(script))) + len(script)
    witness = script_type(script) in ("p2wpkh", "p2wsh", "p2tr")
    return DUST_RELAY_FEE * (output_size + (_SPEND_WITNESS if witness else _SPEND_LEGACY))


def nonwitness_size(psbt: PSBT) -> int:
    """Bytes of the transaction without witnesses; our inputs' scriptSigs stay empty (P2WSH)."""
    inputs, outputs = len(psbt.inputs), len(psbt.outputs)
    output_bytes = sum(
        8 + len(compact_size(len(o.script_pubkey.data))) + len(o.script_pubkey.data)
        for o in psbt.outputs
    )
    return (4 + len(compact_size(inputs)) + 41 * inputs
            + len(compact_size(outputs)) + output_bytes + 4)


def estimated_weight(psbt: PSBT, wallet: MultisigWallet) -> int:
    """Weight once every input carries our final witness: ``0 <sig>*m <witness script>``.

    The draft is unsigned, so each signature is counted at its largest low-S DER size,
    72 bytes with the sighash byte; the witness script is the wallet's m-of-n.
    """
    inputs = len(psbt.inputs)
    script_len = 3 + 34 * len(wallet.cosigners)
    per_input = 1 + 1 + wallet.threshold * (1 + 72) + len(compact_size(script_len)) + script_len
    witness = 2 + per_input * inputs if inputs else 0  # marker and flag, then the stacks
    return nonwitness_size(psbt) * 4 + witness


def _output_findings(psbt: PSBT) -> list[Finding]:
    found = []
    data_outputs = 0
    for index, out in enumerate(psbt.outputs):
        script, value = bytes(out.script_pubkey.data), int(out.value)
        kind = script_type(script)
        where = f"output {index}"
        if kind is None:
            found.append(Finding("nonstandard_output", f"{where}: script {script.hex()} is not "
                                 "P2PKH, P2SH, P2WPKH, P2WSH, P2TR nor a data (OP_RETURN) output"))
        elif kind == "op_return":
            data_outputs += 1
            if len(script) > MAX_OP_RETURN_SCRIPT:
                found.append(Finding("nonstandard_output", f"{where}: OP_RETURN script of "
                                     f"{len(script)} bytes, at most {MAX_OP_RETURN_SCRIPT}"))
            elif data_outputs > 1:
                found.append(Finding("nonstandard_output",
                                     f"{where}: a second OP_RETURN output; one at most"))
            if value:
                found.append(Finding("op_return_value", f"{where}: OP_RETURN carries {value} sat; "
                                     "a data output must be 0 sat (its coins would be burnt)"))
        elif value < (threshold := dust_threshold(script)):
            found.append(Finding("dust_output", f"{where}: {value} sat to {kind.upper()} is "
                                 f"below its dust threshold of {threshold} sat"))
    return found


def standardness_findings(psbt: PSBT, version: int, weight: int) -> list[Finding]:
    """Version, outputs, size and ``weight`` (estimated_weight()) against relay policy."""
    found = []
    if version not in STANDARD_VERSIONS:
        found.append(Finding("nonstandard_version",
                             f"transaction version {version}; only 1 or 2 are signed"))
    found += _output_findings(psbt)
    if weight > MAX_STANDARD_WEIGHT:
        found.append(Finding("tx_too_heavy", f"about {weight} weight units once signed, above "
                             f"the standard {MAX_STANDARD_WEIGHT}"))
    size = nonwitness_size(psbt)
    if size < MIN_NONWITNESS_SIZE:
        found.append(Finding("tx_too_small", f"{size} bytes without witness, below the "
                             f"standard {MIN_NONWITNESS_SIZE}"))
    return found


def relay_fee_findings(fee: int | None, vsize: int) -> list[Finding]:
    """A proven fee under the minimum relay fee at the estimated (largest) signed size."""
    if fee is None or fee < 0 or fee >= MIN_RELAY_FEE_RATE * vsize:
        return []  # unproven or negative fees have findings of their own
    return [Finding("fee_below_relay", f"fee {fee} sat for about {vsize} vB once signed is "
                    f"below the minimum relay fee of {MIN_RELAY_FEE_RATE} sat/vB "
                    f"({MIN_RELAY_FEE_RATE * vsize} sat): nodes would not relay it")]
