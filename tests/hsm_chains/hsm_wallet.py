"""Put the builders' wallet keys into SoftHSM tokens, count what reaches them, check results.

Checks use libraries other than ours: python-bitcointx for scripts, OpenSSL (through
cryptography) for signatures, embit's BIP32 for the expected keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from bitcointx.core import CTransaction
from bitcointx.core.script import OP_0, OP_CHECKMULTISIG, CScript
from bitcointx.core.scripteval import SCRIPT_VERIFY_FLAGS_BY_NAME, VerifyScript
from builders import SeededWallet, Spend
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from signer.chains.bitcoin.wallet import format_path
from signer.hsm.ecdsa import EcdsaSignature
from signer.hsm.token import TokenKey, TokenSession

SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
STANDARD_FLAGS = {
    SCRIPT_VERIFY_FLAGS_BY_NAME[name]
    for name in (
        "P2SH", "WITNESS", "DERSIG", "STRICTENC", "LOW_S", "NULLDUMMY",
        "NULLFAIL", "CLEANSTACK", "WITNESS_PUBKEYTYPE",
    )
}  # fmt: skip


class CountingSigner:
    """A token's ``sign_digest`` that records every key id it is asked to sign with."""

    def __init__(self, session: TokenSession) -> None:
        self.session = session
        self.calls: list[bytes] = []

    def __call__(self, key_id: bytes, digest: bytes, expected: bytes) -> EcdsaSignature:
        self.calls.append(key_id)
        return self.session.sign_digest(key_id, digest, expected)


def import_wallet_keys(
    session: TokenSession, seeded: SeededWallet, holder: str, branches: Iterable[tuple[int, int]]
) -> list[TokenKey]:
    """Import ``holder``'s child private keys at each (change, index) into the token."""
    root = seeded.roots[holder]
    imported = []
    for change, index in sorted(set(branches)):
        path = seeded.wallet.child_path(holder, change, index)
        secret = bytearray(root.derive(list(path)).key.secret)
        try:
            imported.append(session.import_secp256k1(secret, format_path(path)))
        finally:
            secret[:] = bytes(len(secret))
    return imported


def expected_script_pubkey(seeded: SeededWallet, branch: tuple[int, int]) -> CScript:
    """P2WSH of 2-of-3 sorted multisig, built by bitcointx from keys embit derives."""
    keys = sorted(
        seeded.roots[h].derive(list(seeded.wallet.child_path(h, *branch))).sec()
        for h in seeded.roots
    )
    witness_script = CScript([2, *keys, 3, OP_CHECKMULTISIG])
    return CScript([OP_0, hashlib.sha256(witness_script).digest()])


def verify_spends(seeded: SeededWallet, spends: Sequence[Spend], tx_hex: str) -> CTransaction:
    """bitcointx's interpreter accepts every input under standard flags (raises otherwise)."""
    tx = CTransaction.deserialize(bytes.fromhex(tx_hex))
    assert len(tx.vin) == len(spends)
    for index, spend in enumerate(spends):
        VerifyScript(
            tx.vin[index].scriptSig,
            expected_script_pubkey(seeded, spend.branch),
            tx,
            index,
            flags=STANDARD_FLAGS,
            amount=spend.amount,
            witness=tx.wit.vtxinwit[index].scriptWitness,
        )
    return tx


def check_bitcoin_signature(pubkey: bytes, signature: bytes, digest: bytes) -> None:
    """OpenSSL verifies a DER+sighash-ALL signature, and its S is in the lower half."""
    assert signature[-1] == 1, "sighash byte is not SIGHASH_ALL"
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), pubkey)
    key.verify(signature[:-1], digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    _, s = utils.decode_dss_signature(signature[:-1])
    assert s <= SECP256K1_HALF_N, "high-S signature"
