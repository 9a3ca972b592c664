"""BIP174's published vectors: invalid PSBTs refused, valid ones parsed, signer checks failing."""

from __future__ import annotations

import base64
import contextlib
import json
from pathlib import Path

import pytest
from builders import SeededWallet, Spend, build_psbt, external_script, holder_signer, make_wallet
from embit.psbt import PSBT
from hypothesis import given, settings
from hypothesis import strategies as st

from signer.chains.bitcoin.finalize import finalize_psbt
from signer.chains.bitcoin.psbt_file import psbt_bytes, psbt_text, read_psbt
from signer.chains.bitcoin.review import review_draft
from signer.chains.bitcoin.settings import Settings
from signer.chains.bitcoin.signing import DraftRefused, sign_psbt
from signer.errors import AirsignError, BadInput

_DATA = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "bip174-psbt.json").read_text()
)
INVALID = [pytest.param(v, id=v["case"][:60]) for v in _DATA["invalid"]]
VALID = [pytest.param(v, id=v["case"][:60]) for v in _DATA["valid"]]
SIGNER = [pytest.param(v, id=v["case"][:60]) for v in _DATA["fails_signer_checks"]]
# What each "must fail signer checks" case is, in the words of our finding (BIP order).
SIGNER_REASONS = (
    "witness_utxo given for an input that is not segwit",
    "redeemScript does not match the scriptPubKey",
    "redeemScript does not match the scriptPubKey",
    "witnessScript does not match the redeemScript",
)
SIGNER_CASES = [
    pytest.param(v, reason, id=v["case"][:60])
    for v, reason in zip(_DATA["fails_signer_checks"], SIGNER_REASONS, strict=True)
]


def test_vector_counts() -> None:
    assert (len(INVALID), len(VALID), len(SIGNER)) == (20, 10, 4)


@pytest.mark.parametrize("vector", INVALID)
def test_invalid_psbt_refused_binary_and_base64(vector: dict[str, str]) -> None:
    for form in (bytes.fromhex(vector["hex"]), vector["base64"], vector["base64"].encode()):
        with pytest.raises(BadInput) as refused:
            read_psbt(form, source="vector.psbt")
        assert refused.value.code == "psbt_malformed"
        assert refused.value.message.startswith("vector.psbt: ")


@pytest.mark.parametrize("vector", VALID + SIGNER)
def test_valid_psbt_parses_and_round_trips(vector: dict[str, str]) -> None:
    raw = bytes.fromhex(vector["hex"])
    assert psbt_bytes(read_psbt(raw)) == raw
    parsed = read_psbt(vector["base64"])
    assert psbt_bytes(parsed) == raw
    assert base64.b64decode(psbt_text(parsed)) == raw


@pytest.mark.parametrize(("vector", "reason"), SIGNER_CASES)
def test_must_fail_signer_checks(vector: dict[str, str], reason: str, seeded: SeededWallet) -> None:
    psbt = read_psbt(vector["base64"])
    settings = Settings(allow_witness_only=True)  # so the script check itself must refuse
    view = review_draft(psbt, seeded.wallet, settings)
    mismatches = [f.message for f in view.findings if f.code == "script_mismatch"]
    assert mismatches and all(reason in m for m in mismatches)
    sign, calls = holder_signer(seeded, "A", [(0, 0)])
    with pytest.raises(DraftRefused) as refused:
        sign_psbt(psbt, seeded.wallet, "A", sign, settings)
    assert "script_mismatch" in {f.code for f in refused.value.findings}
    assert calls == []


def test_valid_vector_is_foreign_but_consistent(seeded: SeededWallet) -> None:
    """A well-formed 2-of-2 P2WSH of someone else: foreign, not a script mismatch."""
    vector = next(v for v in _DATA["valid"] if v["case"].startswith("PSBT with one P2WSH input"))
    codes = {f.code for f in review_draft(read_psbt(vector["base64"]), seeded.wallet).findings}
    assert "foreign_input" in codes and "script_mismatch" not in codes


def test_limits_refuse_before_parsing() -> None:
    raw = bytes.fromhex(_DATA["valid"][3]["hex"])  # two inputs
    with pytest.raises(BadInput, match="limit is 10"):
        read_psbt(raw, "big.psbt", Settings(max_bytes=10))
    with pytest.raises(BadInput, match="input count: 2 exceeds the limit of 1"):
        read_psbt(raw, "many.psbt", Settings(max_inputs=1))
    with pytest.raises(BadInput, match="output count: 2 exceeds the limit of 1"):
        read_psbt(raw, "many.psbt", Settings(max_outputs=1))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda raw: raw[:-1], "needs 1 bytes"),
        (lambda raw: raw + b"\x00", "trailing bytes"),
        (lambda raw: b"psbt\xff\x01\xfb\x04\x02\x00\x00\x00" + raw[5:], "only PSBT version 0"),
        (lambda raw: raw[:5] + b"\xfd\x01\x00" + raw[6:], "non-canonical compact size"),
        (lambda raw: b"not base64 at all!", "neither a binary PSBT nor base64"),
    ],
)
def test_malformed_variants_refused(mutate: object, expected: str) -> None:
    raw = bytes.fromhex(_DATA["valid"][0]["hex"])
    with pytest.raises(BadInput, match=expected):
        read_psbt(mutate(raw), "bad.psbt")  # type: ignore[operator]


def test_v2_input_field_refused() -> None:
    """PSBT v2's PSBT_IN_PREVIOUS_TXID would otherwise replace the outpoint silently."""
    raw = bytes.fromhex(_DATA["valid"][0]["hex"])
    parsed = read_psbt(raw)
    tampered = bytearray(psbt_bytes(parsed))
    # the first input map begins right after the global map's separator
    start = len(b"psbt\xff") + 3 + len(bytes(parsed.tx.serialize())) + 1
    assert tampered[start - 1] == 0
    tampered[start:start] = b"\x01\x0e\x20" + b"\x11" * 32
    with pytest.raises(BadInput, match="belongs to PSBT v2"):
        read_psbt(bytes(tampered))


def test_a_short_key_origin_is_refused() -> None:
    """embit would read a 1-byte origin as a 1-byte fingerprint with no path."""
    raw = bytes.fromhex(_DATA["valid"][0]["hex"])
    parsed = read_psbt(raw)
    tampered = bytearray(psbt_bytes(parsed))
    start = len(b"psbt\xff") + 3 + len(bytes(parsed.tx.serialize())) + 1
    key = b"\x06\x02" + bytes(32)  # an input bip32 derivation of a 33-byte public key
    tampered[start:start] = bytes([len(key)]) + key + b"\x01\x01"
    with pytest.raises(BadInput, match="input 0 bip32 derivation: key origin must be"):
        read_psbt(bytes(tampered))


_WALLET = make_wallet().wallet
_OURS = build_psbt(
    _WALLET,
    [Spend((0, 1), 5_000), Spend((1, 1), 7_000)],
    [(external_script("x"), 3_000)],
    ((1, 2), 8_000),
)
_SOURCES = [bytes.fromhex(v["hex"]) for v in _DATA["valid"] + _DATA["fails_signer_checks"]]


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from([*_SOURCES, psbt_bytes(_OURS)]),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4),
    st.integers(0, 10_000),
)
def test_corrupted_psbt_only_ever_raises_operator_errors(
    original: bytes, edits: list[tuple[int, int]], cut: int
) -> None:
    """Parse, review and finalize: hostile bytes give BadInput/Rejected, never a traceback."""
    raw = bytearray(original)
    for position, value in edits:
        raw[position % len(raw)] = value
    try:
        psbt = read_psbt(bytes(raw[: len(raw) - cut % 8]))
    except BadInput as refused:
        assert refused.code == "psbt_malformed"
        return
    review_draft(psbt, _WALLET)
    with contextlib.suppress(AirsignError):
        finalize_psbt(psbt)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([*_SOURCES, psbt_bytes(_OURS)]),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=3),
)
def test_what_the_strict_reader_reads_writes_as_embit_reading_it_writes(
    original: bytes, edits: list[tuple[int, int]]
) -> None:
    """For every vector and every corruption of one that both readers accept, the strict
    reader's PSBT writes the bytes embit's own reader's PSBT writes."""
    raw = bytearray(original)
    for position, value in edits:
        raw[position % len(raw)] = value
    try:
        psbt = read_psbt(bytes(raw))
    except BadInput:
        return
    # Where embit reads them the same way: it turns a sequence or a transaction version
    # of 0 into the default.
    try:
        theirs = PSBT.parse(bytes(raw))
    except Exception:  # embit refuses, or accepts what the strict reader refused
        return
    if psbt.tx_version != 0 and all(inp.sequence != 0 for inp in psbt.inputs):
        assert psbt_bytes(psbt) == bytes(theirs.serialize())
