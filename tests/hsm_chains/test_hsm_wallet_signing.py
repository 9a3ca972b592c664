"""Holders A and B sign wallet PSBTs with child keys held in SoftHSM; bitcointx accepts them."""

from __future__ import annotations

import pytest
from bitcointx.core import CTransaction
from bitcointx.core.script import SIGHASH_ALL, SIGVERSION_WITNESS_V0, CScript, SignatureHash
from builders import SeededWallet, Spend, build_psbt, external_script
from hsm_wallet import (
    CountingSigner,
    check_bitcoin_signature,
    import_wallet_keys,
    verify_spends,
)

from signer.chains.bitcoin.finalize import extract_transaction, finalize_psbt
from signer.chains.bitcoin.psbt_file import Psbt, psbt_bytes, read_psbt
from signer.chains.bitcoin.review import review_draft
from signer.chains.bitcoin.signing import sign_psbt
from signer.chains.bitcoin.wallet import key_id
from signer.hsm.token import TokenSession


def mixed_spends(count: int) -> list[Spend]:
    """``count`` outputs alternating receive (0) and change (1) branches, varied amounts."""
    return [
        Spend((n % 2, (7 * n + 3) % 41), 250_000 + 37_813 * n * (n % 5 + 1)) for n in range(count)
    ]


def draft_for(seeded: SeededWallet, spends: list[Spend]) -> Psbt:
    total = sum(s.amount for s in spends)
    pay, fee = total // 3, 250 * len(spends) + 400
    return build_psbt(
        seeded.wallet, spends, [(external_script("payee"), pay)], ((1, 77), total - pay - fee)
    )


def witness_digests(seeded: SeededWallet, psbt: Psbt, spends: list[Spend]) -> list[bytes]:
    """Each input's BIP143 digest as bitcointx computes it."""
    tx = CTransaction.deserialize(bytes(psbt.tx.serialize()))
    return [
        SignatureHash(
            CScript(seeded.wallet.witness_script(*spend.branch)),
            tx,
            index,
            SIGHASH_ALL,
            amount=spend.amount,
            sigversion=SIGVERSION_WITNESS_V0,
        )
        for index, spend in enumerate(spends)
    ]


@pytest.mark.parametrize("count", [1, 2, 50])
def test_hsm_holders_sign_and_bitcointx_verifies(
    seeded: SeededWallet, tokens: dict[str, TokenSession], count: int
) -> None:
    spends = mixed_spends(count)
    branches = [s.branch for s in spends]
    for holder in "ABC":
        imported = import_wallet_keys(tokens[holder], seeded, holder, branches)
        assert {k.public_key for k in imported} == {
            seeded.wallet.child_pubkeys(*b)[holder] for b in branches
        }
    draft = draft_for(seeded, spends)
    signer_a, signer_b = CountingSigner(tokens["A"]), CountingSigner(tokens["B"])

    by_a = sign_psbt(draft, seeded.wallet, "A", signer_a)
    # B signs what A exported, as bytes, like the next station would
    both = sign_psbt(read_psbt(psbt_bytes(by_a)), seeded.wallet, "B", signer_b)

    assert signer_a.calls == [key_id(seeded.wallet.child_pubkeys(*b)["A"]) for b in branches]
    assert len(signer_b.calls) == count
    assert all(line.signed_by == ("A", "B") for line in review_draft(both, seeded.wallet).inputs)
    for inp, digest, branch in zip(
        both.inputs, witness_digests(seeded, draft, spends), branches, strict=True
    ):
        keys = seeded.wallet.child_pubkeys(*branch)
        given = {key.sec(): bytes(sig) for key, sig in inp.partial_sigs.items()}
        assert set(given) == {keys["A"], keys["B"]}
        for pubkey, signature in given.items():
            check_bitcoin_signature(pubkey, signature, digest)

    network_tx = extract_transaction(finalize_psbt(both))
    tx = verify_spends(seeded, spends, network_tx.hex)
    assert tx.GetTxid()[::-1].hex() == network_tx.txid
    assert [out.nValue for out in tx.vout] == [out.value for out in draft.tx.vout]
