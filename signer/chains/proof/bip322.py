"""BIP-322 generic signed messages for P2WSH multisig: virtual transactions, digest, encodings.

The BIP (bitcoin/bips bip-0322.mediawiki, v2.0.0) proves control of an address by
spending a virtual output that pays the address's scriptPubKey (``to_spend``) in a
virtual transaction that pays nothing (``to_sign``). ``to_spend`` spends the outpoint
``000...000:FFFFFFFF``, which no chain has, so nothing here can ever spend real coins:
the only input a holder's key signs is ``to_spend:0``, and ``to_spend`` commits to the
message. Objects and serialisation are embit's; the BIP-143 digest is the project's
Bitcoin sighash code, the same one that signs withdrawals.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import coincurve
from embit.script import Script, Witness
from embit.transaction import Transaction, TransactionInput, TransactionOutput

from signer.chains.bitcoin.scripts import p2wsh_script, parse_multisig
from signer.chains.bitcoin.sighash import SIGHASH_ALL, SighashCache
from signer.errors import BadInput

TAG = b"BIP0322-signed-message"
_TAG_HASH = hashlib.sha256(TAG).digest()
NO_OUTPOINT = (bytes(32), 0xFFFFFFFF)  # the prevout of to_spend: exists on no chain
OP_RETURN = b"\x6a"
# BIP-322 v1.0.0 onward: every signature starts with the variant that made it.
SIMPLE_PREFIX, FULL_PREFIX = "smp", "ful"


def _utf8(message: str | bytes) -> bytes:
    return message.encode("utf-8") if isinstance(message, str) else bytes(message)


def message_hash(message: str | bytes) -> bytes:
    """``sha256(sha256(tag) || sha256(tag) || m)`` with m as-is (UTF-8, no length, no NUL)."""
    return hashlib.sha256(_TAG_HASH + _TAG_HASH + _utf8(message)).digest()


def to_spend(message_challenge: bytes, message: str | bytes) -> Transaction:
    """The virtual transaction whose output 0 pays ``message_challenge`` (a scriptPubKey)."""
    txid, vout = NO_OUTPOINT
    script_sig = Script(b"\x00\x20" + message_hash(message))  # OP_0 PUSH32[message_hash]
    txin = TransactionInput(txid, vout, script_sig=script_sig, sequence=0)
    return Transaction(
        version=0, vin=[txin], vout=[TransactionOutput(0, Script(message_challenge))], locktime=0
    )


def to_sign(
    spend: Transaction,
    witness: Sequence[bytes] = (),
    *,
    version: int = 0,
    locktime: int = 0,
    sequence: int = 0,
) -> Transaction:
    """The virtual transaction spending ``spend:0`` to one zero-value ``OP_RETURN`` output.

    Proofs made here keep version, locktime and sequence at 0 (the simple format needs
    it); the keywords exist for the BIP's full-format vectors, which set them.
    """
    txin = TransactionInput(spend.txid(), 0, sequence=sequence, witness=Witness(list(witness)))
    return Transaction(
        version=version, vin=[txin], vout=[TransactionOutput(0, Script(OP_RETURN))],
        locktime=locktime,
    )


@dataclass(frozen=True)
class VirtualTransactions:
    """The pair BIP-322 defines for one address and message (to_sign still unsigned)."""

    message_hash: bytes
    to_spend: Transaction
    to_sign: Transaction


def virtual_transactions(message_challenge: bytes, message: str | bytes) -> VirtualTransactions:
    """``to_spend`` and the unsigned ``to_sign`` for a scriptPubKey and a message."""
    spend = to_spend(message_challenge, message)
    return VirtualTransactions(message_hash(message), spend, to_sign(spend))


def p2wsh_digest(unsigned: Transaction, witness_script: bytes) -> bytes:
    """The BIP-143 SIGHASH_ALL digest of ``to_sign`` input 0: amount 0, script code the
    witnessScript (it has no OP_CODESEPARATOR: the wallet's sortedmulti never does)."""
    return SighashCache(unsigned).segwit_v0(0, witness_script, 0)


def proof_digest(witness_script: bytes, message: str | bytes) -> bytes:
    """What every key of the P2WSH address of ``witness_script`` signs to prove it for
    ``message``: one digest per address, the same for each holder."""
    virtual = virtual_transactions(p2wsh_script(witness_script), message)
    return p2wsh_digest(virtual.to_sign, witness_script)


def _check_signature(pubkey: bytes, signature: bytes, digest: bytes) -> None:
    if signature[-1:] != bytes([SIGHASH_ALL]):
        raise BadInput("proof_bad_signature",
                       f"signature by {pubkey.hex()}: must end with SIGHASH_ALL (01)")
    try:
        valid = coincurve.PublicKey(pubkey).verify(signature[:-1], digest, hasher=None)
    except Exception:
        valid = False
    if not valid:
        raise BadInput("proof_bad_signature",
                       f"signature by {pubkey.hex()}: does not verify over the BIP-322 digest "
                       f"{digest.hex()} (strict DER, low S)")


def multisig_witness(
    witness_script: bytes, signatures: Mapping[bytes, bytes], digest: bytes | None = None
) -> list[bytes]:
    """``[<empty>, sig..., witnessScript]``: the first m signatures in the script's key order.

    ``signatures`` maps a compressed public key to its DER signature plus the SIGHASH_ALL
    byte. CHECKMULTISIG walks keys and signatures together in script order, so any other
    order fails; the empty first item is the extra element it pops (NULLDUMMY). With
    ``digest``, every signature used is checked against it first.
    """
    multisig = parse_multisig(witness_script)
    if multisig is None:
        raise BadInput("proof_bad_witness_script",
                       f"witnessScript {witness_script.hex()}: not an m-of-n CHECKMULTISIG")
    strangers = [key.hex() for key in signatures if key not in multisig.pubkeys]
    if strangers:
        raise BadInput("proof_bad_signature",
                       f"signatures by keys not in the witnessScript: {', '.join(strangers)}")
    signers = [key for key in multisig.pubkeys if key in signatures]
    if len(signers) < multisig.threshold:
        raise BadInput("proof_too_few_signatures",
                       f"{len(signers)} signature(s), the script needs {multisig.threshold}")
    used = signers[: multisig.threshold]
    if digest is not None:
        for key in used:
            _check_signature(key, signatures[key], digest)
    return [b"", *(signatures[key] for key in used), witness_script]


def serialize_witness(witness: Sequence[bytes]) -> bytes:
    """Consensus encoding of a witness stack: count, then each item with its length."""
    return bytes(Witness(list(witness)).serialize())


def simple_signature(witness: Sequence[bytes], *, prefix: bool = True) -> str:
    """The simple format: ``smp`` + base64 of the witness stack (bare base64 without prefix,
    the form of tools written before BIP-322 v1.0.0)."""
    encoded = base64.b64encode(serialize_witness(witness)).decode("ascii")
    return SIMPLE_PREFIX + encoded if prefix else encoded


def full_signature(signed: Transaction, *, prefix: bool = True) -> str:
    """The full format: ``ful`` + base64 of the signed ``to_sign`` transaction."""
    encoded = base64.b64encode(bytes(signed.serialize())).decode("ascii")
    return FULL_PREFIX + encoded if prefix else encoded


@dataclass(frozen=True)
class Bip322Proof:
    """One address's finished proof: its witness and both encodings (prefixed)."""

    witness: tuple[bytes, ...]
    simple: str
    full: str
    to_sign_txid: str  # of the signed to_sign (witness not included), display order


def assemble_proof(
    witness_script: bytes, message: str | bytes, signatures: Mapping[bytes, bytes]
) -> Bip322Proof:
    """Check the holders' signatures over the address's digest and encode the proof."""
    virtual = virtual_transactions(p2wsh_script(witness_script), message)
    digest = p2wsh_digest(virtual.to_sign, witness_script)
    witness = multisig_witness(witness_script, signatures, digest)
    signed = to_sign(virtual.to_spend, witness)
    return Bip322Proof(
        tuple(witness), simple_signature(witness), full_signature(signed), signed.txid().hex()
    )
