"""The shortcuts a signing session takes give what the checked default paths give."""

from __future__ import annotations

import pytest
from bitcointx.core.key import CExtPubKey
from builders import SeededWallet, Spend, build_psbt, external_script, holder_signer
from embit import base58

from signer.chains.bitcoin.finalize import finalize_in_place, finalize_psbt
from signer.chains.bitcoin.psbt_file import psbt_bytes, read_psbt
from signer.chains.bitcoin.review import review_draft
from signer.chains.bitcoin.signing import DraftRefused, sign_psbt, sign_reviewed
from signer.chains.bitcoin.wallet import MultisigWallet
from signer.errors import Rejected

SPENDS = [Spend((0, 1), 400_000), Spend((1, 2), 600_000)]
BRANCHES = [s.branch for s in SPENDS]


def _draft(seeded: SeededWallet) -> bytes:
    psbt = build_psbt(seeded.wallet, SPENDS, [(external_script("payee"), 700_000)],
                      ((1, 3), 299_000))
    return psbt_bytes(psbt)


def test_child_keys_equal_an_independent_bip32_derivation(seeded: SeededWallet) -> None:
    # Cold caches: the wallet derives through embit; python-bitcointx (Bitcoin Core's
    # CExtPubKey logic) derives the same children independently.
    wallet = MultisigWallet("fresh", "regtest", seeded.wallet.cosigners)
    for change in (0, 1):
        for index in (0, 1, 7, 99, 2**31 - 1):
            keys = wallet.child_pubkeys(change, index)
            for cosigner in wallet.cosigners:
                account = CExtPubKey(base58.decode_check(cosigner.xpub)[4:])
                assert keys[cosigner.holder] == account.derive(change).derive(index).pub


def test_sign_reviewed_makes_the_bytes_sign_psbt_makes(seeded: SeededWallet) -> None:
    raw = _draft(seeded)
    by_default = psbt_bytes(sign_psbt(read_psbt(raw), seeded.wallet, "A",
                                      holder_signer(seeded, "A", BRANCHES)[0]))
    psbt = read_psbt(raw)
    sign_reviewed(psbt, review_draft(psbt, seeded.wallet), seeded.wallet, "A",
                  holder_signer(seeded, "A", BRANCHES)[0])
    assert psbt_bytes(psbt) == by_default
    assert psbt_bytes(read_psbt(by_default)) == by_default  # stored payloads are fixed points


def test_sign_reviewed_refuses_what_the_review_found(seeded: SeededWallet) -> None:
    psbt = read_psbt(_draft(seeded))
    psbt.inputs[0].witness_utxo.value += 50_000
    sign, calls = holder_signer(seeded, "A", BRANCHES)
    with pytest.raises(DraftRefused):
        sign_reviewed(psbt, review_draft(psbt, seeded.wallet), seeded.wallet, "A", sign)
    assert calls == []


def test_sign_reviewed_refuses_a_review_of_another_psbt(seeded: SeededWallet) -> None:
    other = build_psbt(seeded.wallet, [Spend((0, 5), 500_000)],
                       [(external_script("payee"), 400_000)], ((1, 3), 99_000))
    psbt = read_psbt(_draft(seeded))
    sign, calls = holder_signer(seeded, "A", BRANCHES)
    with pytest.raises(ValueError, match="not of this PSBT"):
        sign_reviewed(psbt, review_draft(other, seeded.wallet), seeded.wallet, "A", sign)
    assert calls == []


def test_sign_reviewed_refuses_a_second_signature_by_the_same_holder(
    seeded: SeededWallet,
) -> None:
    psbt = read_psbt(_draft(seeded))
    sign = holder_signer(seeded, "A", BRANCHES)[0]
    sign_reviewed(psbt, review_draft(psbt, seeded.wallet), seeded.wallet, "A", sign)
    with pytest.raises(Rejected, match="already signed"):
        sign_reviewed(psbt, review_draft(psbt, seeded.wallet), seeded.wallet, "A", sign)


def test_finalize_in_place_equals_finalize_psbt(seeded: SeededWallet) -> None:
    raw = _draft(seeded)
    both = sign_psbt(read_psbt(raw), seeded.wallet, "A", holder_signer(seeded, "A", BRANCHES)[0])
    both = sign_psbt(both, seeded.wallet, "C", holder_signer(seeded, "C", BRANCHES)[0])
    expected = psbt_bytes(finalize_psbt(both))
    finalize_in_place(both)
    assert psbt_bytes(both) == expected
