"""Tampered drafts are refused before any key is used, with every finding listed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from builders import SeededWallet, Spend, build_psbt, external_script, holder_signer, make_wallet
from embit.psbt import DerivationPath
from embit.script import Script, Witness

from signer.chains.bitcoin.psbt_file import Psbt, psbt_bytes, read_psbt
from signer.chains.bitcoin.review import review_draft
from signer.chains.bitcoin.settings import Settings
from signer.chains.bitcoin.signing import DraftRefused, sign_psbt

SPENDS = [Spend((0, 1), 400_000), Spend((1, 2), 600_000)]
PAY, CHANGE, FEE = 700_000, 299_000, 1_000


def _draft(seeded: SeededWallet, **options: object) -> Psbt:
    return build_psbt(
        seeded.wallet,
        SPENDS,
        [(external_script("payee"), PAY)],
        ((1, 3), CHANGE),
        **options,  # type: ignore[arg-type]
    )


def _wrong_amount(p: Psbt, s: SeededWallet) -> None:
    p.inputs[0].witness_utxo.value += 50_000


def _swapped_change(p: Psbt, s: SeededWallet) -> None:
    p.outputs[1].script_pubkey = Script(external_script("thief"))


def _change_to_other_index(p: Psbt, s: SeededWallet) -> None:
    p.outputs[1].script_pubkey = Script(s.wallet.script_pubkey(1, 4))


def _sighash_none(p: Psbt, s: SeededWallet) -> None:
    p.inputs[1].sighash_type = 2


def _foreign_input(p: Psbt, s: SeededWallet) -> None:
    other = make_wallet({h: bytes([i + 7]) * 32 for i, h in enumerate("ABC")}).wallet
    stranger = build_psbt(other, [Spend((0, 1), 400_000)], [(external_script("x"), 1)])
    p.inputs[0] = stranger.inputs[0]


def _our_fingerprint_wrong_key(p: Psbt, s: SeededWallet) -> None:
    keys = list(p.inputs[0].bip32_derivations)
    paths = [p.inputs[0].bip32_derivations[k] for k in keys]
    p.inputs[0].bip32_derivations = dict(zip(keys, [paths[1], paths[0], paths[2]], strict=True))


def _inflated_fee(p: Psbt, s: SeededWallet) -> None:
    p.outputs[1].value -= 200_000


def _outputs_exceed_inputs(p: Psbt, s: SeededWallet) -> None:
    p.outputs[0].value += 10_000


def _unmarked_own_output(p: Psbt, s: SeededWallet) -> None:
    p.outputs[0].script_pubkey = Script(s.wallet.script_pubkey(0, 5))


def _duplicate_input(p: Psbt, s: SeededWallet) -> None:
    p.inputs.append(read_psbt(psbt_bytes(p)).inputs[0])


def _foreign_network_xpub(p: Psbt, s: SeededWallet) -> None:
    mainnet = make_wallet(network="mainnet").roots["A"].to_public()
    p.xpubs[mainnet] = DerivationPath(mainnet.my_fingerprint, [])


def _finalized(p: Psbt, s: SeededWallet) -> None:
    p.inputs[0].final_scriptwitness = Witness([b"", b"\x30", b"\x51"])


TAMPERING: list[tuple[Callable[[Psbt, SeededWallet], None], str]] = [
    (_wrong_amount, "unproven_amount"),
    (_swapped_change, "fraudulent_change"),
    (_change_to_other_index, "fraudulent_change"),
    (_sighash_none, "sighash_not_all"),
    (_foreign_input, "foreign_input"),
    (_our_fingerprint_wrong_key, "foreign_input"),
    (_inflated_fee, "fee_too_high"),
    (_outputs_exceed_inputs, "outputs_exceed_inputs"),
    (_unmarked_own_output, "unmarked_own_output"),
    (_duplicate_input, "duplicate_input"),
    (_foreign_network_xpub, "wrong_network"),
    (_finalized, "already_signed"),
]


def test_untampered_draft_is_clean(seeded: SeededWallet) -> None:
    view = review_draft(_draft(seeded), seeded.wallet)
    assert view.findings == ()
    assert (view.total_in, view.total_out, view.fee, view.sent) == (1_000_000, 999_000, FEE, PAY)
    assert [o.kind for o in view.outputs] == ["EXTERNAL", "change (verified)"]
    assert view.outputs[1].address == seeded.wallet.address(1, 3)
    assert view.rbf and view.locktime == 0
    assert view.inputs[1].paths["B"] == "m/48'/1'/0'/2'/1/2"


@pytest.mark.parametrize(("tamper", "code"), TAMPERING, ids=[t.__name__[1:] for t, _ in TAMPERING])
def test_tampered_draft_refused_before_signing(
    seeded: SeededWallet, tamper: Callable[[Psbt, SeededWallet], None], code: str
) -> None:
    draft = _draft(seeded)
    tamper(draft, seeded)
    sign, calls = holder_signer(seeded, "A", [s.branch for s in SPENDS])
    with pytest.raises(DraftRefused) as refused:
        sign_psbt(draft, seeded.wallet, "A", sign)
    assert code in {f.code for f in refused.value.findings}
    assert refused.value.exit == 3
    assert calls == []


def test_witness_only_input_lying_about_its_amount(seeded: SeededWallet) -> None:
    draft = _draft(seeded, witness_only=True)
    draft.inputs[0].witness_utxo.value -= 300_000  # hides a 300,000 sat fee
    sign, calls = holder_signer(seeded, "A", [s.branch for s in SPENDS])
    with pytest.raises(DraftRefused) as refused:
        sign_psbt(draft, seeded.wallet, "A", sign)
    assert {f.code for f in refused.value.findings} == {"unproven_amount"}
    assert calls == []
    trusting = review_draft(draft, seeded.wallet, Settings(allow_witness_only=True))
    assert {f.code for f in trusting.findings} == {"outputs_exceed_inputs"}
    honest = _draft(seeded, witness_only=True)
    assert {f.code for f in review_draft(honest, seeded.wallet).findings} == {"unproven_amount"}
    assert review_draft(honest, seeded.wallet, Settings(allow_witness_only=True)).findings == ()


def test_every_finding_is_reported(seeded: SeededWallet) -> None:
    draft = _draft(seeded)
    for tamper in (_sighash_none, _swapped_change, _wrong_amount):
        tamper(draft, seeded)
    codes = [f.code for f in review_draft(draft, seeded.wallet).findings]
    assert {"sighash_not_all", "fraudulent_change", "unproven_amount"} <= set(codes)


def test_fee_caps_from_settings(seeded: SeededWallet) -> None:
    draft = _draft(seeded)
    assert review_draft(draft, seeded.wallet, Settings(max_fee_sats=FEE)).findings == ()
    capped = review_draft(draft, seeded.wallet, Settings(max_fee_sats=FEE - 1)).findings
    assert [f.code for f in capped] == ["fee_too_high"]
    percent = review_draft(draft, seeded.wallet, Settings(max_fee_percent=0.1)).findings
    assert [f.code for f in percent] == ["fee_too_high"]  # 1,000 > 0.1% of 700,000
    rate = review_draft(draft, seeded.wallet, Settings(max_fee_rate=1.0)).findings
    assert [f.code for f in rate] == ["fee_too_high"]
