"""Why read_psbt stays ours (docs/dependencies.md): each PSBT here is one that embit's
own reader accepts, silently reading something else than what a strict reading of
BIP-174 gives, and that read_psbt refuses. Should embit grow stricter, a case fails
here and the reason for our reader shrinks with it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from embit.psbt import PSBT
from writer_cases import BIP174

from signer.chains.bitcoin.psbt_file import psbt_bytes, read_psbt
from signer.chains.bitcoin.settings import Settings
from signer.errors import BadInput

_VALID = bytes.fromhex(json.loads(BIP174.read_text())["valid"][0]["hex"])
_G = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"  # secp256k1's G
_INPUT = "11" * 32 + "00000000" + "00" + "fdffffff"


def _first_input_map(extra: bytes) -> bytes:
    """The valid vector with ``extra`` key-value pairs at the start of input 0's map."""
    parsed = read_psbt(_VALID)
    start = len(b"psbt\xff") + 3 + len(bytes(parsed.tx.serialize())) + 1
    raw = psbt_bytes(parsed)
    return raw[:start] + extra + raw[start:]


def _with_transaction(tx_hex: str) -> bytes:
    """A PSBT of nothing but this unsigned transaction (one input, one output)."""
    tx = bytes.fromhex(tx_hex)
    return b"psbt\xff\x01\x00" + bytes([len(tx)]) + tx + b"\x00" * 3


CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    # embit reads the one byte as a one-byte fingerprint with no path.
    "a key origin shorter than a fingerprint": (
        lambda: _first_input_map(b"\x22\x06\x02" + bytes.fromhex(_G) + b"\x01\x01"),
        "key origin must be a 4-byte fingerprint"),
    # embit lets PSBT v2's PSBT_IN_PREVIOUS_TXID replace the outpoint being signed.
    "a PSBT v2 previous-txid field in a v0 PSBT": (
        lambda: _first_input_map(b"\x01\x0e\x20" + b"\x11" * 32), "belongs to PSBT v2"),
    # One spelling per size: a second spelling of the same map is a second meaning to check.
    "a non-canonical compact size": (
        lambda: _VALID[:5] + b"\xfd\x01\x00" + _VALID[6:], "non-canonical compact size"),
    # embit reads the locktime's missing byte as zero.
    "a transaction cut short inside its locktime": (
        lambda: _with_transaction("02000000" "01" + _INPUT + "01" "e803000000000000" "00"
                                  "000000"), "locktime: needs 4 bytes, only 3 left"),
    # More than all the bitcoin there will ever be.
    "an output of 2^63 - 1 satoshis": (
        lambda: _with_transaction("02000000" "01" + _INPUT + "01" "ffffffffffffff7f" "00"
                                  "00000000"), "exceeds 21 million BTC"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_embit_reads_what_read_psbt_refuses(name: str) -> None:
    make, refusal = CASES[name]
    raw = make()
    PSBT.parse(raw)  # embit: no complaint
    with pytest.raises(BadInput, match=refusal) as refused:
        read_psbt(raw, "hostile.psbt")
    assert refused.value.code == "psbt_malformed"


def test_read_psbt_bounds_what_embit_reads_unbounded() -> None:
    """embit has no size bounds: a draft's inputs, outputs and bytes are limited here before
    anything is built from them."""
    PSBT.parse(_VALID)  # two outputs: embit takes any number
    with pytest.raises(BadInput, match="output count: 2 exceeds the limit of 1"):
        read_psbt(_VALID, "big.psbt", Settings(max_outputs=1))
