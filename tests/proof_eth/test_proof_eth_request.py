"""The proof request parser: every hostile shape gets its code and names file and field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signer.chains.proof.request import (
    MAX_ADDRESSES,
    MAX_MESSAGE_CHARS,
    MAX_REQUEST_BYTES,
    ProofRequest,
    SafeTarget,
    parse_proof_request_json,
)
from signer.errors import BadInput, Exit

SAFE = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
ADDRESSES = [
    "bcrt1qx0w8vtnyc9mamr9qz2tqfl2uywmzt4m4mnmh0xjrt3rhgd4wsfjsk3ze9w",
    "bcrt1q9ufwwfyy5a2c3dhq0yl2w0ch8n9u3cslglyv8m0l5kdwsgfr7tcqvzyvk0",
]
SOURCE = "proof-request.json"
SHOUTED = ADDRESSES[1].upper()  # bech32 in upper case is the same address
TOO_MANY = [f"bc1q{i:020d}" for i in range(MAX_ADDRESSES + 1)]


def request(**changes: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "proof-of-reserves",
        "message": "ACME proof of reserves 2026-12-01",
        "bitcoin": {"addresses": list(ADDRESSES)},
        "ethereum": {"safe": SAFE, "chainId": 1},
    }
    for key, value in changes.items():
        if value is None:
            obj.pop(key)
        else:
            obj[key] = value
    return obj


def refused(raw: bytes | str | dict[str, Any]) -> BadInput:
    text = json.dumps(raw) if isinstance(raw, dict) else raw
    with pytest.raises(BadInput) as caught:
        parse_proof_request_json(text, SOURCE)
    assert caught.value.exit == Exit.BAD_INPUT
    assert SOURCE in caught.value.message
    return caught.value


def test_a_full_request_parses_to_its_dataclass() -> None:
    parsed = parse_proof_request_json(json.dumps(request()).encode(), SOURCE)
    assert parsed == ProofRequest(
        "ACME proof of reserves 2026-12-01", tuple(ADDRESSES), SafeTarget(SAFE, 1)
    )
    assert parse_proof_request_json(parsed.canonical(), SOURCE) == parsed


def test_either_chain_part_may_be_left_out() -> None:
    only_btc = parse_proof_request_json(json.dumps(request(ethereum=None)), SOURCE)
    only_eth = parse_proof_request_json(json.dumps(request(bitcoin=None)), SOURCE)
    assert only_btc.ethereum is None and only_btc.bitcoin_addresses == tuple(ADDRESSES)
    assert only_eth.bitcoin_addresses == () and only_eth.ethereum == SafeTarget(SAFE, 1)
    assert "ethereum" not in json.loads(only_btc.canonical())
    assert "bitcoin" not in json.loads(only_eth.canonical())


def test_canonical_form_is_stable_whatever_the_key_order_and_spacing() -> None:
    obj = request(ethereum={"chainId": 1, "safe": SAFE.lower()})
    spaced = json.dumps(dict(reversed(list(obj.items()))), indent=4)
    assert (
        parse_proof_request_json(spaced, SOURCE).canonical()
        == parse_proof_request_json(json.dumps(request()), SOURCE).canonical()
    )
    assert parse_proof_request_json(spaced, SOURCE).canonical().startswith(b'{"bitcoin":')


HOSTILE: dict[str, tuple[Any, str, str]] = {
    # case: (input, code, words the message must contain)
    "not JSON": ("{'type': 1}", "bad_json", "expected a proof request"),
    "not UTF-8": (b'{"message": "\xff"}', "bad_json", "utf-8"),
    "duplicate key": ('{"type": "proof-of-reserves", "type": "x"}', "bad_json", "duplicate key"),
    "NaN": ('{"ethereum": {"chainId": NaN}}', "bad_json", "NaN"),
    "too deep": ('{"bitcoin": {"addresses": [[]]}}', "bad_json", "nesting"),
    "top level array": ("[]", "bad_input", "(top level)"),
    "unknown top key": (request(extra=1), "unknown_field", "'extra'"),
    "unknown bitcoin key": (request(bitcoin={"addresses": ADDRESSES, "xpub": "x"}),
                            "unknown_field", "'bitcoin.xpub'"),
    "unknown ethereum key": (request(ethereum={"safe": SAFE, "chainId": 1, "nonce": 0}),
                             "unknown_field", "'ethereum.nonce'"),
    "missing message": (request(message=None), "missing_field", "'message'"),
    "missing type": (request(type=None), "missing_field", "'type'"),
    "wrong type": (request(type="safe-tx"), "proof_request_type", "proof-of-reserves"),
    "no chain part": (request(bitcoin=None, ethereum=None), "proof_request_no_chain", "at least"),
    "message not a string": (request(message=["x"]), "bad_input", "'message'"),
    "empty message": (request(message=""), "bad_input", "'message'"),
    "lone surrogate": ('{"type": "proof-of-reserves", "message": "a\\ud800", "bitcoin": '
                       '{"addresses": ["' + ADDRESSES[0] + '"]}}', "bad_input", "surrogate"),
    "message too long": (request(message="A" * (MAX_MESSAGE_CHARS + 1)),
                         "proof_request_message_too_long", str(MAX_MESSAGE_CHARS)),
    "addresses not a list": (request(bitcoin={"addresses": ADDRESSES[0]}), "bad_input",
                             "'bitcoin.addresses'"),
    "no addresses": (request(bitcoin={"addresses": []}), "bad_input", "non-empty"),
    "address not a string": (request(bitcoin={"addresses": [1]}), "bad_input",
                             "'bitcoin.addresses[0]'"),
    "address with spaces": (request(bitcoin={"addresses": ["bc1q abc def ghi jkl"]}),
                            "bad_input", "letters and digits"),
    "duplicate address": (request(bitcoin={"addresses": [*ADDRESSES, ADDRESSES[0]]}),
                          "proof_request_duplicate_address", "bitcoin.addresses[0]"),
    "duplicate in other case": (request(bitcoin={"addresses": [ADDRESSES[1], SHOUTED]}),
                                "proof_request_duplicate_address", "'bitcoin.addresses[1]'"),
    "too many addresses": (request(bitcoin={"addresses": TOO_MANY}),
                           "proof_request_too_many_addresses", str(MAX_ADDRESSES)),
    "safe not an address": (request(ethereum={"safe": "0x1234", "chainId": 1}), "bad_input",
                            "'ethereum.safe'"),
    "safe bad checksum": (request(ethereum={"safe": SAFE.replace("F", "f", 1), "chainId": 1}),
                          "bad_checksum", "EIP-55"),
    "chainId string": (request(ethereum={"safe": SAFE, "chainId": "1"}), "bad_input",
                       "'ethereum.chainId'"),
    "chainId bool": (request(ethereum={"safe": SAFE, "chainId": True}), "bad_input", "chainId"),
    "chainId zero": (request(ethereum={"safe": SAFE, "chainId": 0}), "bad_input", "positive"),
    "chainId negative": (request(ethereum={"safe": SAFE, "chainId": -1}), "bad_input", "chainId"),
    "chainId float": (request(ethereum={"safe": SAFE, "chainId": 1.0}), "bad_input", "chainId"),
    "missing chainId": (request(ethereum={"safe": SAFE}), "missing_field", "'ethereum.chainId'"),
    "ethereum not an object": (request(ethereum=SAFE), "bad_input", "'ethereum'"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_requests_are_refused_with_their_code(case: str) -> None:
    raw, code, words = HOSTILE[case]
    error = refused(raw)
    assert error.code == code, error.message
    assert words.lower() in error.message.lower(), error.message


def test_huge_file_is_refused_before_parsing() -> None:
    huge = b'{"message": "' + b"A" * MAX_REQUEST_BYTES + b'"}'
    error = refused(huge)
    assert error.code == "proof_request_too_large" and str(MAX_REQUEST_BYTES) in error.message


def test_ten_thousand_addresses_fit_the_byte_bound() -> None:
    addresses = [ADDRESSES[0][:-8] + f"{i:08d}" for i in range(MAX_ADDRESSES)]
    raw = json.dumps(request(bitcoin={"addresses": addresses}), separators=(",", ":"))
    assert len(raw) < MAX_REQUEST_BYTES
    assert len(parse_proof_request_json(raw, SOURCE).bitcoin_addresses) == MAX_ADDRESSES


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
address_lists = st.lists(st.sampled_from(ADDRESSES) | st.text(max_size=30), max_size=4)
near_requests = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["proof-of-reserves", "x"]) | json_values,
        "message": st.text(max_size=50) | json_values,
        "bitcoin": st.fixed_dictionaries(
            {}, optional={"addresses": address_lists | json_values}
        ) | json_values,
        "ethereum": st.fixed_dictionaries(
            {}, optional={"safe": st.sampled_from([SAFE, SAFE.lower()]) | json_values,
                          "chainId": st.integers(-2, 2**70) | json_values}
        ) | json_values,
        "extra": json_values,
    },
)  # fmt: skip
raw_inputs = st.binary(max_size=200) | near_requests.map(lambda o: json.dumps(o).encode())


def parses_or_refuses_cleanly(raw: bytes) -> None:
    """Either a ProofRequest whose canonical form round-trips, or BadInput naming the file."""
    try:
        parsed = parse_proof_request_json(raw, SOURCE)
    except BadInput as error:
        assert error.code and SOURCE in error.message
        return
    assert parsed.ethereum is not None or parsed.bitcoin_addresses
    assert parse_proof_request_json(parsed.canonical(), SOURCE) == parsed


@given(raw_inputs)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_property_any_input_parses_or_is_refused_cleanly(raw: bytes) -> None:
    parses_or_refuses_cleanly(raw)


@pytest.mark.fuzz
@given(raw_inputs)
@settings(max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_any_input_parses_or_is_refused_cleanly(raw: bytes) -> None:
    parses_or_refuses_cleanly(raw)
