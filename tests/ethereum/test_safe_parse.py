"""The Safe transaction JSON is read strictly: every bad field is named, with what was expected."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_utils import to_checksum_address
from hypothesis import given
from hypothesis import strategies as st

from signer.chains.ethereum.safe_tx import SUPPORTED_VERSIONS, parse_safe_tx, parse_safe_tx_json
from signer.errors import BadInput, Exit

# Checksummed addresses published in EIP-55 itself.
EIP55 = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
ZERO = "0x" + "00" * 20


def good(**changes: Any) -> dict[str, Any]:
    tx: dict[str, Any] = {
        "safe": EIP55[0], "chainId": 1, "safeVersion": "1.4.1", "to": EIP55[1],
        "value": "0", "data": "0xa9059cbb", "operation": 0, "safeTxGas": "0", "baseGas": "0",
        "gasPrice": "0", "gasToken": ZERO, "refundReceiver": ZERO, "nonce": 7,
    }  # fmt: skip
    tx.update(changes)
    return {k: v for k, v in tx.items() if v is not DROP}


DROP = object()


def refused(obj: object, code: str = "bad_input") -> BadInput:
    with pytest.raises(BadInput) as caught:
        parse_safe_tx(obj, "drafts/wd-7.json")
    assert caught.value.code == code
    assert caught.value.exit == Exit.BAD_INPUT
    assert caught.value.message.startswith("drafts/wd-7.json: ")
    return caught.value


def test_good_draft_reads_all_fields() -> None:
    tx = parse_safe_tx(good(value="25", nonce="8", safeTxHash="0x" + "ab" * 32), "f.json")
    assert (tx.safe, tx.to, tx.value, tx.nonce, tx.data) == (
        EIP55[0], EIP55[1], 25, 8, bytes.fromhex("a9059cbb"),
    )  # fmt: skip
    assert tx.claimed_hash == bytes.fromhex("ab" * 32)
    assert parse_safe_tx(tx.to_json(), "again") == tx


@pytest.mark.parametrize("address", EIP55)
def test_eip55_vectors_accepted_in_every_case_form(address: str) -> None:
    for form in (address, address.lower(), "0x" + address[2:].upper()):
        assert parse_safe_tx(good(to=form), "f").to == address


@pytest.mark.parametrize("address", EIP55)
def test_one_wrong_case_letter_is_a_bad_checksum(address: str) -> None:
    i = next(i for i, c in enumerate(address) if i > 1 and c.isalpha())
    broken = address[:i] + address[i].swapcase() + address[i + 1 :]
    assert "'to'" in refused(good(to=broken), "bad_checksum").message


@given(st.binary(min_size=20, max_size=20))
def test_checksum_agrees_with_eth_utils(raw: bytes) -> None:
    expected = to_checksum_address(raw)
    assert parse_safe_tx(good(refundReceiver="0x" + raw.hex()), "f").refund_receiver == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("to", "0x1234"), ("to", EIP55[0][2:]), ("safe", 12), ("gasToken", None),
        ("value", -1), ("value", "-1"), ("value", 1.0), ("value", "1e3"), ("value", True),
        ("value", "0x10"), ("value", " 1"), ("value", "007"), ("value", 2**256),
        ("value", str(2**256)), ("nonce", False), ("nonce", 7.5), ("chainId", 0),
        ("operation", 2), ("operation", "1.0"), ("data", "a9059cbb"), ("data", "0xabc"),
        ("data", "0xzz"), ("safeTxHash", "0x1234"), ("safeTxGas", None),
    ],
)  # fmt: skip
def test_bad_values_name_the_field(field: str, value: Any) -> None:
    error = refused(good(**{field: value}))
    assert f"field '{field}'" in error.message and "expected" in error.message


def test_uint256_bounds_are_inclusive() -> None:
    assert parse_safe_tx(good(value=str(2**256 - 1)), "f").value == 2**256 - 1
    assert parse_safe_tx(good(value=2**256 - 1), "f").value == 2**256 - 1


def test_unknown_key_is_an_error() -> None:
    assert "'memo'" in refused(good(memo="hi"), "unknown_field").message


def test_missing_key_is_an_error() -> None:
    assert "'refundReceiver'" in refused(good(refundReceiver=DROP), "missing_field").message


@pytest.mark.parametrize("version", ["0.1.0", "1.5.0", "1.4", 141, None])
def test_unsupported_version(version: object) -> None:
    refused(good(safeVersion=version), "unsupported_safe_version")


def test_supported_versions_are_the_documented_ones() -> None:
    assert set(SUPPORTED_VERSIONS) == {
        "1.0.0", "1.1.0", "1.1.1", "1.2.0", "1.3.0", "1.4.0", "1.4.1",
    }  # fmt: skip


def test_data_size_limit_is_configurable() -> None:
    big = good(data="0x" + "00" * 65537)
    assert "65536" in refused(big, "data_too_large").message
    assert len(parse_safe_tx(good(data="0x" + "00" * 65536), "f").data) == 65536
    with pytest.raises(BadInput):
        parse_safe_tx(good(data="0x" + "00" * 11), "f", max_data_bytes=10)


@pytest.mark.parametrize("top", [[], "tx", 7, None])
def test_top_level_must_be_an_object(top: object) -> None:
    refused(top)


@pytest.mark.parametrize(
    "text",
    [
        b'{"safe": 1, "safe": 2}',
        '{"value": NaN}',
        "{not json",
        b"\xff\xfe",
        "[" * 100_000,
        json.dumps(good(value=1.5)),
    ],
)
def test_json_text_is_refused_without_traceback(text: str | bytes) -> None:
    with pytest.raises(BadInput) as caught:
        parse_safe_tx_json(text, "usb/draft.json")
    assert caught.value.message.startswith("usb/draft.json: ")


def test_json_text_round_trip() -> None:
    tx = parse_safe_tx_json(json.dumps(good()).encode(), "f")
    assert tx.to_json() == good()


@pytest.mark.timeout(30)
def test_an_unterminated_escape_megabyte_is_refused_in_linear_time() -> None:
    """Regression: the old depth check used a regex that was quadratic on '"\\' * n."""
    from signer.chains.ethereum.safe_tx import parse_safe_tx_json
    from signer.errors import BadInput

    with pytest.raises(BadInput):
        parse_safe_tx_json(b'{"safe": "' + b'\\"' * 500_000, "hostile.json")
