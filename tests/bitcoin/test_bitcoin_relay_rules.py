"""Only what the network relays, and only our outputs inside the key pool, are signable.

Every draft here is made by a hostile vault with embit (tests/bitcoin/vault.py) and
reviewed as the appliance reviews an import: a pool of 5 + 5 keys, as the pipeline's
ceremony imports. Each class is shown at its edge: refused just past it, signable at it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from embit import hashes
from embit.psbt import PSBT, DerivationPath

from signer.chains.bitcoin.psbt_file import read_psbt
from signer.chains.bitcoin.review import DraftView, review_draft
from signer.chains.bitcoin.settings import Settings
from signer.chains.bitcoin.standardness import MAX_STANDARD_WEIGHT, dust_threshold
from tests.bitcoin.builders import make_wallet
from tests.bitcoin.vault import Out, Spend, Vault, p2pkh, p2sh, p2tr, p2wpkh, p2wsh_of

WALLET = make_wallet().wallet
VAULT = Vault(WALLET)
POOL = 5
PAY, COIN, FEE = 1_000_000, 10_000_000, 10_000
HARD = 0x80000000


def _settings(max_height: int | None = None) -> Settings:
    return Settings(receive_keys=POOL, change_keys=POOL, max_locktime_height=max_height)


def _review(psbt: PSBT, max_height: int | None = None) -> DraftView:
    # Through the bytes, as an import reads them: what embit wrote is what is judged.
    return review_draft(read_psbt(bytes(psbt.serialize()), "vault"), WALLET, _settings(max_height))


def _codes(view: DraftView) -> set[str]:
    return {f.code for f in view.findings}


def _draft(extra: list[Out] | None = None, *, spends: list[Spend] | None = None,
           change: tuple[int, int] = (1, 0), **tx: int) -> PSBT:
    """Pay PAY to someone, ``extra`` outputs, change back; the fee is FEE."""
    spends = spends or [Spend(0, 0, COIN)]
    extra = extra or []
    rest = sum(s.amount for s in spends) - PAY - FEE - sum(o.value for o in extra)
    return VAULT.psbt(spends, [Out(p2wpkh("payee"), PAY), *extra, VAULT.change(*change, rest)],
                      **tx)


def test_an_ordinary_vault_draft_is_signable_and_its_review_carries_the_timelock_data() -> None:
    view = _review(_draft())
    assert view.signable, view.findings
    assert (view.version, view.locktime, view.sequences) == (2, 0, (0xFFFFFFFD,))
    assert view.timelock is None  # usual values: nothing more to read
    # 125 bytes without witness (one input, a P2WPKH and a P2WSH output), 2 + 254 witness.
    assert view.weight == 4 * 125 + 2 + 254 and view.vsize == (view.weight + 3) // 4


@pytest.mark.parametrize("version", [0, 3, 4, 0xFFFFFFFF])
def test_a_transaction_version_other_than_1_or_2_is_refused(version: int) -> None:
    view = _review(_draft(version=version))
    assert _codes(view) == {"nonstandard_version"}
    assert f"version {version}" in view.findings[0].message


@pytest.mark.parametrize("version", [1, 2])
def test_versions_1_and_2_are_signed(version: int) -> None:
    assert _review(_draft(version=version)).signable


# Bitcoin Core's GetDustThreshold at 3 sat/vB, worked out per type in docs/bitcoin-relay.md.
DUST = [("p2wpkh", p2wpkh, 294), ("p2wsh", p2wsh_of, 330), ("p2tr", p2tr, 330),
        ("p2pkh", p2pkh, 546), ("p2sh", p2sh, 540)]


@pytest.mark.parametrize(("kind", "make", "threshold"), DUST)
def test_each_output_type_has_core_dust_threshold(kind: str, make: Callable[[str], bytes],
                                                   threshold: int) -> None:
    script = make("dust")
    assert dust_threshold(script) == threshold
    below = _review(_draft([Out(script, threshold - 1)]))
    assert _codes(below) == {"dust_output"}
    assert f"{threshold - 1} sat to {kind.upper()}" in below.findings[0].message
    assert f"dust threshold of {threshold} sat" in below.findings[0].message
    assert _review(_draft([Out(script, threshold)])).signable


KEY = bytes.fromhex("02" + "11" * 32)
NONSTANDARD = {
    "bare multisig": b"\x51\x21" + KEY + b"\x51\xae",
    "pay to public key": b"\x21" + KEY + b"\xac",
    "witness v2": b"\x52\x20" + b"\x22" * 32,
    "witness v1, 20 bytes": b"\x51\x14" + b"\x22" * 20,
    "witness v0, 25 bytes": b"\x00\x19" + b"\x22" * 25,
    "pay to anchor": b"\x51\x02\x4e\x73",
    "anyone can spend": b"\x51",
    "empty script": b"",
    "OP_RETURN then a non-push": b"\x6a\xac",
    "OP_RETURN with a push past its end": b"\x6a\x4c\x50" + b"\x00" * 10,
}


@pytest.mark.parametrize("name", sorted(NONSTANDARD))
def test_a_script_of_no_standard_type_is_refused(name: str) -> None:
    script = NONSTANDARD[name]
    view = _review(_draft([Out(script, 10_000 if script[:1] != b"\x6a" else 0)]))
    assert _codes(view) == {"nonstandard_output"}, view.findings
    assert view.findings[0].message.startswith("output 1: ")


def _op_return(total: int) -> bytes:
    """An OP_RETURN script of ``total`` bytes: OP_RETURN OP_PUSHDATA1 <n> <data>."""
    return b"\x6a\x4c" + bytes([total - 3]) + b"\x00" * (total - 3)


def test_a_data_output_is_signed_up_to_83_bytes_and_with_no_value() -> None:
    assert _review(_draft([Out(_op_return(83), 0)])).signable
    assert _review(_draft([Out(b"\x6a", 0)])).signable  # a bare OP_RETURN
    too_big = _review(_draft([Out(_op_return(84), 0)]))
    assert _codes(too_big) == {"nonstandard_output"} and "84 bytes" in too_big.findings[0].message
    burning = _review(_draft([Out(_op_return(40), 1_000)]))
    assert _codes(burning) == {"op_return_value"}
    two = _review(_draft([Out(_op_return(20), 0), Out(_op_return(20), 0)]))
    assert _codes(two) == {"nonstandard_output"} and "second OP_RETURN" in two.findings[0].message


def _heavy(inputs: int) -> PSBT:
    spends = [Spend(0, n % POOL, 20_000) for n in range(inputs)]
    total = 20_000 * inputs
    # A fee of 150,000 sat: 1.5 sat/vB at 100,000 vB, above the minimum relay fee.
    return VAULT.psbt(spends, [Out(p2wpkh("payee"), total - 150_000 - 200_000),
                               VAULT.change(1, 0, 200_000)])


def test_the_estimated_signed_weight_decides_tx_too_heavy_at_the_400000_limit() -> None:
    # 956 inputs: 157,128 WU without witness + 2 + 956 * 254 witness = 399,954.
    fits = _review(_heavy(956))
    assert fits.weight == 399_954 and fits.signable, fits.findings
    heavy = _review(_heavy(957))
    assert heavy.weight > MAX_STANDARD_WEIGHT
    assert _codes(heavy) == {"tx_too_heavy"}


def test_a_transaction_smaller_than_65_bytes_without_witness_is_refused() -> None:
    psbt = VAULT.psbt([Spend(0, 0, 10_000)], [Out(b"\x6a", 0)])
    assert "tx_too_small" in _codes(_review(psbt))


@pytest.mark.parametrize("sequence", [0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0x80000000, 0xFFFFFFFC])
def test_sequences_with_the_disable_flag_lock_nothing(sequence: int) -> None:
    assert _review(_draft(sequence=sequence)).signable


@pytest.mark.parametrize(("sequence", "waits"), [
    (0, "0 blocks"), (1, "1 blocks"), (144, "144 blocks"), (0xFFFF, "65535 blocks"),
    (0x00400001, "512 seconds"), (0x7FFFFFFF, "33553920 seconds"),
])
def test_a_bip68_relative_lock_in_a_version_2_transaction_is_refused(sequence: int,
                                                                      waits: str) -> None:
    view = _review(_draft(sequence=sequence))
    assert _codes(view) == {"relative_locktime"}
    assert f"0x{sequence:08x}" in view.findings[0].message and waits in view.findings[0].message
    assert view.timelock is not None and f"input 0 nSequence 0x{sequence:08x}" in view.timelock


def test_a_version_1_transaction_is_not_bound_by_bip68() -> None:
    view = _review(_draft(version=1, sequence=144))
    assert view.signable
    assert view.timelock == "Timelock: nLockTime 0 (none); input 0 nSequence 0x00000090"


def test_only_the_locking_input_is_named() -> None:
    spends = [Spend(0, 0, COIN), Spend(0, 1, COIN)]
    view = _review(_draft(spends=spends, sequence=[0xFFFFFFFE, 10]))
    assert [f.message.split(":")[0] for f in view.findings] == ["input 1"]


def test_a_height_locktime_is_signed_up_to_the_policy_bound() -> None:
    at_bound = _review(_draft(locktime=850_000, sequence=0xFFFFFFFE), max_height=850_000)
    assert at_bound.signable
    assert at_bound.timelock == "Timelock: nLockTime 850000 (not before block 850000)"
    beyond = _review(_draft(locktime=850_001, sequence=0xFFFFFFFE), max_height=850_000)
    assert _codes(beyond) == {"locktime_too_high"}
    assert "850001" in beyond.findings[0].message and "850000" in beyond.findings[0].message


def test_without_a_bound_only_locktime_0_is_signed() -> None:
    assert _review(_draft(locktime=0)).signable
    view = _review(_draft(locktime=1))
    assert _codes(view) == {"locktime_too_high"}
    assert "sets no [bitcoin] max_locktime_height" in view.findings[0].message


@pytest.mark.parametrize("locktime", [500_000_000, 1_767_225_600, 0xFFFFFFFF])
def test_a_time_locktime_is_refused_whatever_the_bound(locktime: int) -> None:
    view = _review(_draft(locktime=locktime), max_height=499_999_999)
    assert _codes(view) == {"time_locktime"}
    assert view.timelock == f"Timelock: nLockTime {locktime} (not before Unix time {locktime})"


# --- our outputs stay inside the key pool -------------------------------------------


def test_change_at_the_last_pool_index_is_signed_and_at_the_pool_size_refused() -> None:
    last = _review(_draft(change=(1, POOL - 1)))
    assert last.signable and last.outputs[1].path == f"/1/{POOL - 1}"
    beyond = _review(_draft(change=(1, POOL)))
    assert _codes(beyond) == {"change_beyond_pool"}
    assert "/1/5" in beyond.findings[0].message and "index 5" in beyond.findings[0].message


def test_change_presented_on_the_receive_branch_is_refused() -> None:
    view = _review(_draft(change=(0, 2)))
    assert _codes(view) == {"change_on_receive_branch"} and "/0/2" in view.findings[0].message


@pytest.mark.parametrize("step", [(1, 3 + HARD), (1 + HARD, 3)])
def test_change_claiming_a_hardened_step_is_refused(step: tuple[int, int]) -> None:
    change = VAULT.change(1, 3, COIN - PAY - FEE)
    # The vault names hardened steps; no xpub derives them, so nothing can prove the key.
    change.bip32 = {key: DerivationPath(d.fingerprint, d.derivation[:-2] + list(step))
                    for key, d in change.bip32.items()}
    psbt = VAULT.psbt([Spend(0, 0, COIN)], [Out(p2wpkh("payee"), PAY), change])
    view = _review(psbt)
    assert _codes(view) == {"change_hardened"}
    assert "'" in view.findings[0].message.split("hardened path ")[1]


@pytest.mark.parametrize(("branch", "index"), [(1, POOL), (1, 60), (0, POOL), (0, 104)])
def test_an_unmarked_payment_to_our_script_beyond_the_pool_is_refused(branch: int,
                                                                      index: int) -> None:
    view = _review(_draft([Out(VAULT.script(branch, index), 50_000)]))
    assert _codes(view) == {"change_beyond_pool"}
    assert f"/{branch}/{index} (no derivation data)" in view.findings[0].message


def test_an_unmarked_payment_to_our_script_inside_the_pool_stays_unmarked_own_output() -> None:
    view = _review(_draft([Out(VAULT.script(1, POOL - 1), 50_000)]))
    assert _codes(view) == {"unmarked_own_output"}


@pytest.mark.parametrize("spend", [Spend(0, POOL, COIN), Spend(1, POOL, COIN), Spend(0, 99, COIN)])
def test_an_input_beyond_the_pool_is_key_absent_at_review(spend: Spend) -> None:
    view = _review(_draft(spends=[spend]))
    assert _codes(view) == {"key_absent"}
    assert f"/{spend.change}/{spend.index}" in view.findings[0].message


def test_inputs_at_the_last_pool_index_of_each_branch_are_signable() -> None:
    spends = [Spend(0, POOL - 1, COIN), Spend(1, POOL - 1, COIN)]
    assert _review(_draft(spends=spends)).signable


def _hash160(data: bytes) -> bytes:
    return hashes.hash160(data)


def _wrapped_forms(change: int, index: int) -> dict[str, bytes]:
    """Scripts a vault can build from the wallet's own keys at ``/change/index`` that are
    not the wallet's P2WSH: spendable in theory, never by the appliance (foreign_input)."""
    witness = bytes(VAULT.witness_script(change, index).data)
    key_a = sorted(VAULT.derivations(change, index), key=lambda k: k.sec())[0].sec()
    p2wpkh_a = b"\x00\x14" + _hash160(key_a)
    return {
        "P2SH-wrapped P2WSH": b"\xa9\x14" + _hash160(VAULT.script(change, index)) + b"\x87",
        "legacy P2SH": b"\xa9\x14" + _hash160(witness) + b"\x87",
        "single-key P2WPKH": p2wpkh_a,
        "single-key P2PKH": b"\x76\xa9\x14" + _hash160(key_a) + b"\x88\xac",
        "single-key P2SH-P2WPKH": b"\xa9\x14" + _hash160(p2wpkh_a) + b"\x87",
    }


@pytest.mark.parametrize("form", list(_wrapped_forms(1, 2)))
@pytest.mark.parametrize(("change", "index"), [(1, 2), (0, 0), (1, POOL + 99)])
def test_class5_our_keys_in_a_script_the_wallet_never_spends_are_refused(
        form: str, change: int, index: int) -> None:
    """Unmarked (no derivation data), such an output read as an EXTERNAL payment; its
    coins would be out of the appliance's reach: an input of that form is foreign_input."""
    script = _wrapped_forms(change, index)[form]
    view = _review(_draft([Out(script, 20_000)]))
    assert _codes(view) == {"own_keys_other_script"}, view.findings
    (finding,) = view.findings
    assert f"/{change}/{index}" in finding.message and form in finding.message
    assert finding.message.startswith("output 1: ")


def test_class5_a_script_of_keys_past_the_scan_window_stays_external() -> None:
    # Further out than the scan, our keys are indistinguishable from a stranger's.
    script = _wrapped_forms(1, POOL + 100)["P2SH-wrapped P2WSH"]
    assert _review(_draft([Out(script, 20_000)])).signable


def _with_fee(fee: int) -> PSBT:
    return VAULT.psbt([Spend(0, 0, COIN)], [Out(p2wpkh("payee"), PAY),
                                            VAULT.change(1, 0, COIN - PAY - fee)])


@pytest.mark.parametrize("fee", [0, 1, 100])
def test_class4_a_fee_below_the_minimum_relay_fee_is_refused(fee: int) -> None:
    """No node relays a transaction paying under 1 sat/vB: signed, its coins would stay
    claimed until a quorum released them. The rate is judged on the signed size
    estimated at its largest, so the real rate is never lower."""
    view = _review(_with_fee(fee))
    assert _codes(view) == {"fee_below_relay"}, view.findings
    assert f"fee {fee} sat" in view.findings[0].message
    assert "1 sat/vB" in view.findings[0].message


def test_class4_a_fee_at_the_minimum_relay_fee_is_signed() -> None:
    vsize = _review(_with_fee(0)).vsize
    assert _review(_with_fee(vsize)).signable
    assert _codes(_review(_with_fee(vsize - 1))) == {"fee_below_relay"}
