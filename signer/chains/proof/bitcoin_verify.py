"""An auditor's BIP-322 check built only from python-bitcointx, none of airsign's Bitcoin code.

The virtual transactions are rebuilt here with python-bitcointx's objects (not the embit
construction in bip322.py that made the proof) and the witness runs through
python-bitcointx's script interpreter under the BIP's required flags. Two builds of
the same BIP that agree are the point: a mistake in ours cannot hide behind itself.

Three outcomes, as the BIP defines them: valid, invalid, and inconclusive where the
interpreter cannot decide (taproot and later witness versions, CHECKLOCKTIMEVERIFY and
CHECKSEQUENCEVERIFY, which python-bitcointx does not evaluate; proof-of-funds PSBTs).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from bitcointx import ChainParams
from bitcointx.core import (
    COutPoint,
    CTransaction,
    CTxIn,
    CTxInWitness,
    CTxOut,
    CTxWitness,
    tagged_hasher,
)
from bitcointx.core.script import (
    OP_0,
    OP_1NEGATE,
    OP_CHECKLOCKTIMEVERIFY,
    OP_CHECKSEQUENCEVERIFY,
    OP_PUSHDATA1,
    OP_PUSHDATA2,
    OP_PUSHDATA4,
    OP_RETURN,
    CScript,
    CScriptWitness,
)
from bitcointx.core.scripteval import SCRIPT_VERIFY_FLAGS_BY_NAME, VerifyScript
from bitcointx.wallet import CCoinAddress

VALID, INVALID, INCONCLUSIVE = "valid", "invalid", "inconclusive"
# The BIP's required rules, as python-bitcointx names them. MINIMALDATA is required too
# but python-bitcointx cannot evaluate it, so _minimal_pushes checks it below.
FLAGS = frozenset(SCRIPT_VERIFY_FLAGS_BY_NAME[name] for name in (
    "P2SH", "WITNESS", "DERSIG", "STRICTENC", "LOW_S", "NULLDUMMY", "NULLFAIL", "CLEANSTACK",
    "MINIMALIF", "WITNESS_PUBKEYTYPE", "DISCOURAGE_UPGRADABLE_NOPS",
    "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM",
))
MAX_SIGNATURE_CHARS = 100_000  # a 2-of-3 simple proof is ~340 characters
MAX_MESSAGE_BYTES = 1_000_000
_CHAINS = ("bitcoin", "bitcoin/testnet", "bitcoin/signet", "bitcoin/regtest")
_message_hasher = tagged_hasher(b"BIP0322-signed-message")


@dataclass(frozen=True)
class Verdict:
    """The BIP's outcome for one address; ``locktime``/``sequence`` are T and S when valid."""

    state: str
    reason: str
    locktime: int = 0
    sequence: int = 0

    @property
    def ok(self) -> bool:
        return self.state == VALID


class _Stop(Exception):
    def __init__(self, state: str, reason: str) -> None:
        super().__init__(reason)
        self.verdict = Verdict(state, reason)


def _script_pubkey(address: str) -> CScript:
    for chain in _CHAINS:
        with ChainParams(chain):
            try:
                return CScript(bytes(CCoinAddress(address).to_scriptPubKey()))
            except Exception:
                continue
    raise _Stop(INVALID, f"address {address!r}: not a Bitcoin address on any network")


def bitcointx_to_spend(script_pubkey: bytes, message: bytes) -> CTransaction:
    """BIP-322 ``to_spend`` from python-bitcointx objects."""
    txin = CTxIn(COutPoint(bytes(32), 0xFFFFFFFF), CScript([OP_0, _message_hasher(message)]),
                 nSequence=0)
    return CTransaction([txin], [CTxOut(0, CScript(script_pubkey))], nLockTime=0, nVersion=0)


def bitcointx_to_sign(spend: CTransaction, stack: CScriptWitness) -> CTransaction:
    """BIP-322 ``to_sign`` (simple format: version, locktime and sequence 0)."""
    txin = CTxIn(COutPoint(spend.GetTxid(), 0), CScript(), nSequence=0)
    return CTransaction([txin], [CTxOut(0, CScript([OP_RETURN]))], nLockTime=0, nVersion=0,
                        witness=CTxWitness([CTxInWitness(stack)]))


def _decode(signature: str, unprefixed: str) -> tuple[str, bytes]:
    if not isinstance(signature, str) or len(signature) > MAX_SIGNATURE_CHARS:
        raise _Stop(INVALID, f"signature: expected text of at most {MAX_SIGNATURE_CHARS} chars")
    variant, body = unprefixed, signature
    if signature[:3] in ("smp", "ful", "pof"):
        variant, body = {"smp": "simple", "ful": "full", "pof": "pof"}[signature[:3]], signature[3:]
    if variant == "pof":
        raise _Stop(INCONCLUSIVE, "proof-of-funds signatures are not checked by this verifier")
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise _Stop(INVALID, "signature: not valid base64") from None
    if not raw:
        raise _Stop(INVALID, "signature too short: empty")
    return variant, raw


def _signed_transaction(variant: str, raw: bytes, spend: CTransaction) -> CTransaction:
    if variant == "simple":
        try:
            stack = CScriptWitness.deserialize(raw)
        except Exception as exc:
            raise _Stop(INVALID, f"simple signature: not a witness stack ({exc})") from None
        return bitcointx_to_sign(spend, stack)
    try:
        tx = CTransaction.deserialize(raw)
    except Exception as exc:
        raise _Stop(INVALID, f"full signature: not a transaction ({exc})") from None
    if len(tx.vin) != 1 or tx.vin[0].prevout != COutPoint(spend.GetTxid(), 0):
        raise _Stop(INVALID, "full signature: to_sign must have one input, spending to_spend:0")
    if len(tx.vout) != 1 or tx.vout[0].nValue != 0 or tx.vout[0].scriptPubKey != CScript(
            [OP_RETURN]):
        raise _Stop(INVALID, "full signature: to_sign must have one output, 0 sat to OP_RETURN")
    if tx.nVersion not in (0, 2):
        raise _Stop(INCONCLUSIVE, f"full signature: to_sign version {tx.nVersion} (0 or 2 known)")
    return tx


def _minimal_pushes(script: CScript) -> bool:
    """MINIMALDATA: every push uses the shortest opcode for its data."""
    for opcode, data, _ in script.raw_iter():
        if data is None or opcode > OP_PUSHDATA4:
            continue
        size = len(data)
        if size == 0:
            shortest = int(OP_0)
        elif size == 1 and 1 <= data[0] <= 16:
            shortest = 0x50 + data[0]
        elif data == b"\x81":
            shortest = int(OP_1NEGATE)
        elif size <= 75:
            shortest = size
        else:
            shortest = int(OP_PUSHDATA1 if size <= 0xFF else OP_PUSHDATA2 if size <= 0xFFFF
                           else OP_PUSHDATA4)
        if int(opcode) != shortest:
            return False
    return True


def _executed_scripts(script_pubkey: CScript, tx: CTransaction) -> list[CScript]:
    """scriptSig, scriptPubKey, and the redeem and witness scripts they hand on."""
    script_sig = tx.vin[0].scriptSig
    stack = list(tx.wit.vtxinwit[0].scriptWitness.stack) if tx.wit.vtxinwit else []
    scripts = [script_sig, script_pubkey]
    program = script_pubkey
    if script_pubkey.is_p2sh():
        try:
            pushes = [data for _, data, _ in script_sig.raw_iter() if data is not None]
        except Exception:  # malformed: the interpreter refuses it with its own reason
            pushes = []
        if pushes:
            program = CScript(pushes[-1])
            scripts.append(program)
    if program.is_witness_scriptpubkey() and program.witness_version() == 0 and len(
            program.witness_program()) == 32 and stack:
        scripts.append(CScript(stack[-1]))
    return scripts


def _opcodes(script: CScript) -> list[object]:
    try:
        return list(script)
    except Exception:  # malformed: the interpreter refuses it with its own reason
        return []


def _undecidable(scripts: list[CScript]) -> None:
    """What python-bitcointx cannot evaluate makes the answer inconclusive, never valid."""
    for script in scripts:
        if script.is_witness_scriptpubkey() and script.witness_version() >= 1:
            raise _Stop(INCONCLUSIVE, f"witness version {script.witness_version()} (taproot or "
                        "later): python-bitcointx has no interpreter for it")
    opcodes = [op for script in scripts for op in _opcodes(script)]
    if OP_CHECKLOCKTIMEVERIFY in opcodes or OP_CHECKSEQUENCEVERIFY in opcodes:
        raise _Stop(INCONCLUSIVE, "time-locked script: python-bitcointx does not evaluate "
                    "CHECKLOCKTIMEVERIFY/CHECKSEQUENCEVERIFY")


def verify(
    address: str, message: str | bytes, signature: str, *, unprefixed: str = "simple"
) -> Verdict:
    """Check a BIP-322 ``signature`` of ``message`` for ``address``.

    ``signature`` carries its variant prefix (``smp``/``ful``); one without a prefix is
    read as ``unprefixed`` ("simple", as the BIP suggests, or "full"), the form of tools
    written before the prefix was added.
    """
    if unprefixed not in ("simple", "full"):
        raise ValueError("unprefixed: 'simple' or 'full'")
    if not isinstance(message, str | bytes):
        return Verdict(INVALID, "message: expected text")
    text = message.encode("utf-8") if isinstance(message, str) else bytes(message)
    if len(text) > MAX_MESSAGE_BYTES:
        return Verdict(INVALID, f"message: longer than {MAX_MESSAGE_BYTES} bytes")
    try:
        script_pubkey = _script_pubkey(address)
        variant, raw = _decode(signature, unprefixed)
        spend = bitcointx_to_spend(script_pubkey, text)
        tx = _signed_transaction(variant, raw, spend)
        scripts = _executed_scripts(script_pubkey, tx)
        _undecidable(scripts)
        witness = tx.wit.vtxinwit[0].scriptWitness if tx.wit.vtxinwit else CScriptWitness()
        try:
            VerifyScript(tx.vin[0].scriptSig, script_pubkey, tx, 0, flags=set(FLAGS), amount=0,
                         witness=witness)
        except Exception as exc:
            raise _Stop(INVALID, f"invalid signature: {exc}") from None
        # After the interpreter: every script it ran parses, so only the encoding is left.
        if not all(_minimal_pushes(script) for script in scripts):
            raise _Stop(INVALID, "invalid signature: a push is not minimal (MINIMALDATA)")
    except _Stop as stop:
        return stop.verdict
    return Verdict(VALID, f"valid ({variant})", tx.nLockTime, tx.vin[0].nSequence)
