"""Partial signatures a PSBT arrives with: proven one by one, counted by distinct key.

Unit level, with software keys (the pipeline tests do the same against SoftHSM tokens):
the hostile variants are made with embit and coincurve, not with the appliance's signer.
"""

from __future__ import annotations

import coincurve
import pytest
from embit import ec
from embit.psbt import PSBT

from signer.chains.bitcoin.partial_sigs import (
    signer_counts,
    unsigned_difference,
    verify_partial_signatures,
)
from signer.chains.bitcoin.psbt_file import psbt_bytes, read_psbt
from signer.chains.bitcoin.review import review_draft
from signer.chains.bitcoin.signing import sign_psbt
from signer.errors import Rejected
from tests.bitcoin.builders import Spend, build_psbt, external_script, holder_signer, make_wallet

SEEDED = make_wallet()
BRANCHES = [(0, 0), (0, 1)]


def _signed_by(*holders: str) -> PSBT:
    psbt = build_psbt(SEEDED.wallet, [Spend(b, 50_000_000) for b in BRANCHES],
                      [(external_script("payee"), 10_000_000)], change=((1, 0), 89_990_000))
    for holder in holders:
        psbt = sign_psbt(psbt, SEEDED.wallet, holder, holder_signer(SEEDED, holder,
                                                                    BRANCHES)[0])
    return read_psbt(psbt_bytes(psbt))


def _check(psbt: PSBT) -> None:
    psbt = read_psbt(psbt_bytes(psbt))
    verify_partial_signatures(psbt, review_draft(psbt, SEEDED.wallet), "draft.psbt")


def _refused(psbt: PSBT) -> Rejected:
    with pytest.raises(Rejected) as refused:
        _check(psbt)
    return refused.value


def test_signatures_of_the_wallets_keys_pass_and_count_once_per_key() -> None:
    psbt = _signed_by("A", "C")
    _check(psbt)
    assert signer_counts(psbt, review_draft(psbt, SEEDED.wallet)) == [2, 2]


def test_the_same_key_written_uncompressed_is_foreign_and_never_counted() -> None:
    psbt = _signed_by("A")
    (key, signature), = psbt.inputs[1].partial_sigs.items()
    twin = ec.PublicKey.parse(key.sec())
    twin.compressed = False
    psbt.inputs[1].partial_sigs[twin] = signature
    assert signer_counts(psbt, review_draft(psbt, SEEDED.wallet)) == [1, 1]
    refused = _refused(psbt)
    assert refused.code == "signature_foreign" and "input 1" in refused.message


def test_a_high_s_twin_of_a_valid_signature_is_invalid() -> None:
    psbt = _signed_by("B")
    (key, signature), = psbt.inputs[0].partial_sigs.items()
    low = coincurve.ecdsa.der_to_cdata(bytes(signature[:-1]))
    compact = coincurve.ecdsa.cdata_to_der(low)  # strict DER of the same signature
    r_len = compact[3]
    r = int.from_bytes(compact[4:4 + r_len], "big")
    s = int.from_bytes(compact[6 + r_len:], "big")
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    psbt.inputs[0].partial_sigs[key] = ec.Signature(
        r.to_bytes(32, "big") + (n - s).to_bytes(32, "big")).serialize() + b"\x01"
    refused = _refused(psbt)
    assert refused.code == "signature_invalid" and "holder B" in refused.message


@pytest.mark.parametrize("byte", [0x02, 0x03, 0x81, 0x82, 0x83])
def test_any_other_sighash_byte_is_refused(byte: int) -> None:
    psbt = _signed_by("A")
    key = next(iter(psbt.inputs[0].partial_sigs))
    psbt.inputs[0].partial_sigs[key] = bytes(psbt.inputs[0].partial_sigs[key][:-1]) + bytes(
        [byte])
    refused = _refused(psbt)
    assert refused.code == "sighash_not_all" and f"0x{byte:02x}" in refused.message


def test_a_signature_for_another_input_does_not_verify_here() -> None:
    psbt = _signed_by("A")
    key0 = next(iter(psbt.inputs[0].partial_sigs))
    (key1, signature1), = psbt.inputs[1].partial_sigs.items()
    # A's key differs per input (another derivation index): move input 1's pair to input 0
    # under input 0's key, and it is invalid there.
    psbt.inputs[0].partial_sigs[key0] = signature1
    refused = _refused(psbt)
    assert refused.code == "signature_invalid" and "input 0" in refused.message
    assert key1.sec() != key0.sec()


def test_only_partial_signatures_may_differ_between_two_copies() -> None:
    unsigned, signed = _signed_by(), _signed_by("A")
    assert unsigned_difference(unsigned, signed) is None
    signed.outputs[1].unknown[b"\xfc\x01x"] = b"y"
    assert unsigned_difference(unsigned, signed) == (
        "output 1 (scripts, derivations or other fields)")
    signed = _signed_by("A")
    signed.inputs[1].sighash_type = 1
    assert unsigned_difference(unsigned, signed) is not None
    assert "input 1" in str(unsigned_difference(unsigned, signed))


def _padded_r(der: bytes) -> bytes:
    """The same signature with r given one needless leading zero: valid BER, not DER."""
    r_len = der[3]
    r = b"\x00" + der[4:4 + r_len]
    rest = der[4 + r_len:]
    body = b"\x02" + bytes([len(r)]) + r + rest
    return b"\x30" + bytes([len(body)]) + body


@pytest.mark.parametrize("variant", ["trailing zero", "trailing junk", "padded r",
                                     "overlong length", "empty"])
def test_class6_a_valid_signature_not_in_strict_der_is_invalid(variant: str) -> None:
    psbt = _signed_by("C")
    (key, signature), = psbt.inputs[1].partial_sigs.items()
    der = bytes(signature[:-1])
    forged = {"trailing zero": der + b"\x00", "trailing junk": der + b"\xde\xad",
              "padded r": _padded_r(der),
              "overlong length": b"\x30" + bytes([der[1] + 1]) + der[2:] + b"\x00",
              "empty": b""}[variant]
    psbt.inputs[1].partial_sigs[key] = forged + b"\x01"
    refused = _refused(psbt)
    assert refused.code == "signature_invalid" and "input 1" in refused.message
    assert "holder C" in refused.message and "nothing was merged" in refused.message
