"""Published SLIP-39 vectors (trezor/python-shamir-mnemonic) through our combine and derivation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceremony.derive import master_node
from ceremony.shares import combine_shares
from signer.errors import BadInput, Exit

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "slip39-vectors.json").read_text())
VALID = [v for v in VECTORS if v[2]]
INVALID = [v for v in VECTORS if not v[2]]
PASSPHRASE = b"TREZOR"

# What each published failure is, in the operator's terms (matched on the vector's description).
EXPECTED_CODE = {
    "invalid checksum": "bad_share_checksum",
    "invalid padding": "bad_share_padding",
    "Basic sharing 2-of-3": "too_few_shares",
    "different identifiers": "shares_from_different_sets",
    "different iteration exponents": "shares_from_different_sets",
    "mismatching group thresholds": "shares_from_different_sets",
    "mismatching group counts": "shares_from_different_sets",
    "greater group threshold than group counts": "bad_share",
    "duplicate member indices": "duplicate_share",
    "mismatching member thresholds": "shares_from_different_sets",
    "invalid digest": "shares_do_not_match",
    "Insufficient number of groups": "too_few_shares",
    "insufficient number of members": "too_few_shares",
    "insufficient length": "bad_share_length",
    "invalid master secret length": "bad_share_length",
}


def test_vector_counts() -> None:
    assert (len(VALID), len(INVALID)) == (15, 30)


@pytest.mark.parametrize("vector", VALID, ids=[v[0] for v in VALID])
def test_valid_vector_gives_secret_and_xprv(vector: list) -> None:
    _, mnemonics, secret_hex, xprv = vector
    secret = combine_shares(mnemonics, PASSPHRASE)
    assert secret.hex() == secret_hex
    assert master_node(secret).to_base58() == xprv


@pytest.mark.parametrize("vector", INVALID, ids=[v[0] for v in INVALID])
def test_invalid_vector_refused_clearly(vector: list) -> None:
    description, mnemonics, _, _ = vector
    codes = [code for key, code in EXPECTED_CODE.items() if key in description]
    assert len(codes) == 1, description
    with pytest.raises(BadInput) as caught:
        combine_shares(mnemonics, PASSPHRASE)
    assert caught.value.exit == Exit.BAD_INPUT == 2
    assert caught.value.code == codes[0]
    message = caught.value.message
    assert "share" in message and "Traceback" not in message
    # The message never repeats a whole share back.
    assert not any(m in message for m in mnemonics)
