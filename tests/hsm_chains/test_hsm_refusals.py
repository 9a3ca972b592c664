"""Tampered drafts are refused before the token is asked for a single signature."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from builders import SeededWallet, Spend, build_psbt, external_script, make_wallet
from embit.script import Script
from hsm_wallet import CountingSigner, import_wallet_keys

from signer.chains.bitcoin.psbt_file import Psbt
from signer.chains.bitcoin.signing import DraftRefused, sign_psbt
from signer.hsm.token import TokenSession

SPENDS = [Spend((0, 4), 500_000), Spend((1, 9), 700_000)]
PAY, CHANGE, FEE = 900_000, 298_800, 1_200


def honest_draft(seeded: SeededWallet, witness_only: bool = False) -> Psbt:
    return build_psbt(
        seeded.wallet,
        SPENDS,
        [(external_script("payee"), PAY)],
        ((1, 12), CHANGE),
        witness_only=witness_only,
    )


@pytest.fixture
def holder_a(seeded: SeededWallet, tokens: dict[str, TokenSession]) -> CountingSigner:
    """Holder A's token, holding the keys for every spent output, behind a call counter."""
    import_wallet_keys(tokens["A"], seeded, "A", [s.branch for s in SPENDS])
    return CountingSigner(tokens["A"])


def _wrong_amount(p: Psbt, s: SeededWallet) -> None:
    p.inputs[1].witness_utxo.value += 80_000  # disagrees with the previous transaction


def _swapped_change(p: Psbt, s: SeededWallet) -> None:
    p.outputs[1].script_pubkey = Script(external_script("thief"))


def _sighash_none(p: Psbt, s: SeededWallet) -> None:
    p.inputs[0].sighash_type = 2


def _foreign_input(p: Psbt, s: SeededWallet) -> None:
    other = make_wallet({h: bytes([0x40 + i]) * 32 for i, h in enumerate("ABC")}).wallet
    p.inputs[1] = build_psbt(other, [SPENDS[1]], [(external_script("x"), 1)]).inputs[0]


def _inflated_fee(p: Psbt, s: SeededWallet) -> None:
    p.outputs[1].value -= 250_000


TAMPERING: list[tuple[Callable[[Psbt, SeededWallet], None], str]] = [
    (_wrong_amount, "unproven_amount"),
    (_swapped_change, "fraudulent_change"),
    (_sighash_none, "sighash_not_all"),
    (_foreign_input, "foreign_input"),
    (_inflated_fee, "fee_too_high"),
]


def test_honest_draft_reaches_the_token_once_per_input(
    seeded: SeededWallet, holder_a: CountingSigner
) -> None:
    """The control: the counter does see the token's signatures when nothing is wrong."""
    signed = sign_psbt(honest_draft(seeded), seeded.wallet, "A", holder_a)
    assert len(holder_a.calls) == len(SPENDS)
    assert all(len(inp.partial_sigs) == 1 for inp in signed.inputs)


@pytest.mark.parametrize(("tamper", "code"), TAMPERING, ids=[t.__name__[1:] for t, _ in TAMPERING])
def test_tampered_draft_never_reaches_the_token(
    seeded: SeededWallet,
    holder_a: CountingSigner,
    tamper: Callable[[Psbt, SeededWallet], None],
    code: str,
) -> None:
    draft = honest_draft(seeded)
    tamper(draft, seeded)
    with pytest.raises(DraftRefused) as refused:
        sign_psbt(draft, seeded.wallet, "A", holder_a)
    assert code in {f.code for f in refused.value.findings}
    assert refused.value.exit == 3
    assert holder_a.calls == []


def test_witness_only_input_lying_about_its_amount(
    seeded: SeededWallet, holder_a: CountingSigner
) -> None:
    draft = honest_draft(seeded, witness_only=True)
    draft.inputs[0].witness_utxo.value -= 400_000  # would hide a 400,000 sat fee
    with pytest.raises(DraftRefused) as refused:
        sign_psbt(draft, seeded.wallet, "A", holder_a)
    assert {f.code for f in refused.value.findings} == {"unproven_amount"}
    assert holder_a.calls == []
