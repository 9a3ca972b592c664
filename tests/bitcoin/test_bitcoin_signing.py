"""Two holders sign PSBTs built with embit; python-bitcointx verifies every input's script."""

from __future__ import annotations

import random

import pytest
from bitcointx.core import CTransaction
from bitcointx.core.script import SIGHASH_ALL, CScript, SignatureHash
from bitcointx.core.scripteval import (
    SCRIPT_VERIFY_FLAGS_BY_NAME,
    SIGVERSION_WITNESS_V0,
    VerifyScript,
)
from builders import SeededWallet, Spend, build_psbt, external_script, holder_signer
from embit.ec import PublicKey

from signer.chains.bitcoin.finalize import (
    combine,
    extract_transaction,
    finalize_in_place,
    finalize_psbt,
)
from signer.chains.bitcoin.psbt_file import psbt_bytes, read_psbt
from signer.chains.bitcoin.review import review_draft
from signer.chains.bitcoin.sighash import SighashCache
from signer.chains.bitcoin.signing import (
    add_signatures,
    holder_signatures,
    sign_psbt,
    sign_reviewed,
)
from signer.errors import HsmError, Rejected
from signer.hsm.ecdsa import EcdsaSignature

FLAGS = {
    SCRIPT_VERIFY_FLAGS_BY_NAME[name]
    for name in (
        "P2SH", "WITNESS", "DERSIG", "STRICTENC", "LOW_S", "NULLDUMMY",
        "NULLFAIL", "CLEANSTACK", "WITNESS_PUBKEYTYPE",
    )
}  # fmt: skip


def _spends(count: int, seed: int) -> list[Spend]:
    rng = random.Random(seed)
    return [
        Spend((rng.randint(0, 1), rng.randint(0, 30)), rng.randint(10_000, 5_000_000))
        for _ in range(count)
    ]


def _draft(seeded: SeededWallet, spends: list[Spend]):  # type: ignore[no-untyped-def]
    total = sum(s.amount for s in spends)
    pay = total // 2
    fee = 300 * len(spends) + 500
    return build_psbt(
        seeded.wallet, spends, [(external_script("payee"), pay)], ((1, 99), total - pay - fee)
    )


def _verify_all(seeded: SeededWallet, spends: list[Spend], tx_hex: str) -> None:
    tx = CTransaction.deserialize(bytes.fromhex(tx_hex))
    for index, spend in enumerate(spends):
        VerifyScript(
            tx.vin[index].scriptSig,
            CScript(seeded.wallet.script_pubkey(*spend.branch)),
            tx,
            index,
            flags=FLAGS,
            amount=spend.amount,
            witness=tx.wit.vtxinwit[index].scriptWitness,
        )


@pytest.mark.parametrize(("count", "signers"), [(1, ("A", "B")), (2, ("C", "A")), (50, ("B", "C"))])
def test_two_holders_sign_and_bitcointx_verifies(
    seeded: SeededWallet, count: int, signers: tuple[str, str]
) -> None:
    spends = _spends(count, seed=count)
    draft = _draft(seeded, spends)
    first, second = signers
    sign_1, calls_1 = holder_signer(seeded, first, [s.branch for s in spends])
    sign_2, _ = holder_signer(seeded, second, [s.branch for s in spends])
    signed = sign_psbt(draft, seeded.wallet, first, sign_1)
    assert len(calls_1) == count
    assert review_draft(signed, seeded.wallet).inputs[0].signed_by == (first,)
    # the second holder signs the PSBT the first exported, as bytes
    both = sign_psbt(read_psbt(psbt_bytes(signed)), seeded.wallet, second, sign_2)
    network_tx = extract_transaction(finalize_psbt(both))
    _verify_all(seeded, spends, network_tx.hex)
    tx = CTransaction.deserialize(bytes.fromhex(network_tx.hex))
    assert tx.GetTxid()[::-1].hex() == network_tx.txid
    assert (
        tx.get_virtual_size()
        <= review_draft(draft, seeded.wallet).vsize
        <= tx.get_virtual_size() + count
    )


def test_combine_psbts_signed_apart(seeded: SeededWallet) -> None:
    spends = _spends(3, seed=7)
    draft = _draft(seeded, spends)
    by_a = sign_psbt(
        draft, seeded.wallet, "A", holder_signer(seeded, "A", [s.branch for s in spends])[0]
    )
    by_c = sign_psbt(
        draft, seeded.wallet, "C", holder_signer(seeded, "C", [s.branch for s in spends])[0]
    )
    combined = combine([by_a, by_c])
    assert review_draft(combined, seeded.wallet).inputs[2].signed_by == ("A", "C")
    _verify_all(seeded, spends, extract_transaction(finalize_psbt(combined)).hex)
    with pytest.raises(Rejected) as refused:  # quorum reached: a third signature is refused
        sign_psbt(
            combined, seeded.wallet, "B", holder_signer(seeded, "B", [s.branch for s in spends])[0]
        )
    assert refused.value.code == "already_signed"


def test_one_signature_is_not_enough(seeded: SeededWallet) -> None:
    spends = _spends(1, seed=3)
    by_a = sign_psbt(
        _draft(seeded, spends),
        seeded.wallet,
        "A",
        holder_signer(seeded, "A", [spends[0].branch])[0],
    )
    with pytest.raises(Rejected) as refused:
        finalize_psbt(by_a)
    assert refused.value.code == "not_enough_signatures"
    with pytest.raises(Rejected) as refused:
        sign_psbt(by_a, seeded.wallet, "A", holder_signer(seeded, "A", [spends[0].branch])[0])
    assert refused.value.code == "already_signed"


def test_forged_partial_signature_refused_at_finalize(seeded: SeededWallet) -> None:
    spends = _spends(1, seed=4)
    draft = _draft(seeded, spends)
    signed = sign_psbt(draft, seeded.wallet, "A", holder_signer(seeded, "A", [spends[0].branch])[0])
    signed = sign_psbt(
        signed, seeded.wallet, "B", holder_signer(seeded, "B", [spends[0].branch])[0]
    )
    key = next(iter(signed.inputs[0].partial_sigs))
    sig = bytearray(signed.inputs[0].partial_sigs[key])
    sig[10] ^= 1
    signed.inputs[0].partial_sigs[key] = bytes(sig)
    with pytest.raises(Rejected) as refused:
        finalize_psbt(signed)
    assert refused.value.code == "signature_invalid"


def test_sighash_matches_bitcointx(seeded: SeededWallet) -> None:
    spends = _spends(5, seed=11)
    draft = _draft(seeded, spends)
    cache = SighashCache(draft.tx)
    tx = CTransaction.deserialize(bytes(draft.tx.serialize()))
    for index, spend in enumerate(spends):
        script = seeded.wallet.witness_script(*spend.branch)
        expected = SignatureHash(
            CScript(script),
            tx,
            index,
            SIGHASH_ALL,
            amount=spend.amount,
            sigversion=SIGVERSION_WITNESS_V0,
        )
        assert cache.segwit_v0(index, script, spend.amount) == expected
        assert cache.legacy(index, script) == SignatureHash(CScript(script), tx, index, SIGHASH_ALL)


def test_a_token_failing_part_way_leaves_the_psbt_as_it_was(seeded: SeededWallet) -> None:
    spends = _spends(3, seed=12)
    draft = _draft(seeded, spends)
    before = psbt_bytes(draft)
    sign, _ = holder_signer(seeded, "A", [s.branch for s in spends])
    calls = 0

    def fails_on_the_third(kid: bytes, digest: bytes, expected: bytes) -> EcdsaSignature:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise HsmError("sign_failed", "token removed")
        return sign(kid, digest, expected)

    with pytest.raises(HsmError):
        sign_reviewed(draft, review_draft(draft, seeded.wallet), seeded.wallet, "A",
                      fails_on_the_third)
    assert calls == 3 and psbt_bytes(draft) == before


def test_holders_signatures_are_made_apart_then_added(seeded: SeededWallet) -> None:
    spends = _spends(2, seed=13)
    draft = _draft(seeded, spends)
    view = review_draft(draft, seeded.wallet)
    cache = SighashCache(draft.tx)
    made = {holder: holder_signatures(draft, view, seeded.wallet, holder,
                                      holder_signer(seeded, holder,
                                                    [s.branch for s in spends])[0], cache)
            for holder in ("B", "C")}
    assert all(not inp.partial_sigs for inp in draft.inputs)  # made, not added yet
    assert [index for index, _, _ in made["B"]] == [0, 1]
    for signatures in made.values():
        add_signatures(draft, signatures)
    finalized = read_psbt(psbt_bytes(draft))
    # Ours need not be verified again; a forged one among them still would be.
    finalize_in_place(draft, {sig for sigs in made.values() for sig in sigs})
    _verify_all(seeded, spends, extract_transaction(draft).hex)
    index, pubkey, signature = made["C"][1]
    forged = bytearray(signature)
    forged[10] ^= 1
    finalized.inputs[index].partial_sigs[PublicKey.parse(pubkey)] = bytes(forged)
    with pytest.raises(Rejected) as refused:
        finalize_in_place(finalized, made["B"] + [made["C"][0]])
    assert refused.value.code == "signature_invalid"
