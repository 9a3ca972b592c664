"""Message screening: plain proof statements pass; every refusal class gets its code."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signer.chains.proof.message_rules import (
    DEFAULT_MAX_LENGTH,
    ProofRules,
    message_findings,
    parse_proof_rules,
    request_mismatch_findings,
)
from signer.errors import BadInput

RULES = ProofRules(prefixes=("ACME Exchange proof of reserves ",), max_length=300)
PREFIX = RULES.prefixes[0]
HASH = "9c22ff5f21f0b81b113e63f7db6da94fedef11b2119b4088b89664fb9a3cb658"

# A Permit2 PermitSingle as a dapp would ask a wallet to sign it (EIP-712 JSON).
PERMIT2 = {
    "types": {
        "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "chainId", "type": "uint256"},
                         {"name": "verifyingContract", "type": "address"}],
        "PermitSingle": [{"name": "details", "type": "PermitDetails"},
                         {"name": "spender", "type": "address"},
                         {"name": "sigDeadline", "type": "uint256"}],
        "PermitDetails": [{"name": "token", "type": "address"},
                          {"name": "amount", "type": "uint160"},
                          {"name": "expiration", "type": "uint48"},
                          {"name": "nonce", "type": "uint48"}],
    },
    "primaryType": "PermitSingle",
    "domain": {"name": "Permit2", "chainId": 1,
               "verifyingContract": "0x000000000022D473030F116dDEE9F6B43aC78BA3"},
    "message": {"details": {"token": "0xdAC17F958D2ee523a2206206994597C13D831ec7",
                            "amount": "1461501637330902918203684832716283019655932542975",
                            "expiration": "1790000000", "nonce": "0"},
                "spender": "0x3fC91A3afd70395Cd496C647d5a6CC9D4B2b7FAD",
                "sigDeadline": "1790000000"},
}  # fmt: skip


def codes(message: str, rules: ProofRules = RULES) -> list[str]:
    return [f.code for f in message_findings(message, rules)]


@pytest.mark.parametrize(
    "message",
    [
        PREFIX + "2026-12-01: ACME controls the listed addresses and the Safe.",
        PREFIX + "2026-12 (BTC, ETH, USDT, USDC); block 925,000; liabilities root 0x" + HASH,
        PREFIX + "décembre 2026 — réserves prouvées ✓",
        PREFIX + "2026-12-01 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        PREFIX + "2026-12-01 owner 0x5FbDB2315678afecb367f032d93F642f64180aa3",
    ],
)
def test_ordinary_proof_messages_pass(message: str) -> None:
    assert message_findings(message, RULES) == []


REFUSED = {
    # case: (message, the code it must get)
    "Permit2 EIP-712 JSON": (json.dumps(PERMIT2), "proof_message_typed_data"),
    "Permit2 JSON after the prefix": (PREFIX + json.dumps(PERMIT2), "proof_message_typed_data"),
    "typed data keys only": (PREFIX + '{"types": {}, "domain": {}, "message": {}}',
                             "proof_message_typed_data"),
    "Seaport order words": (PREFIX + "OrderComponents offer ConsiderationItem zoneHash",
                            "proof_message_typed_data"),
    "transaction fields": (PREFIX + "to 0xab.. maxFeePerGas 30 gwei accessList []",
                           "proof_message_typed_data"),
    "any JSON object": (PREFIX + '{"amount": 1}', "proof_message_json"),
    "JSON array": (PREFIX + "[1, 2, 3]", "proof_message_json"),
    "key-value pair": (PREFIX + 'note "spender": me', "proof_message_json"),
    "32-byte hex": (HASH, "proof_message_hash"),
    "32-byte hex with 0x": ("0x" + HASH, "proof_message_hash"),
    "32-byte hex after the prefix": (PREFIX + "0x" + HASH.upper(), "proof_message_hash"),
    "hex blob": (PREFIX + "deadbeefcafebabe0011", "proof_message_binary"),
    "RLP-like transaction hex": (PREFIX + "note 0x02f86c0180843b9aca00" + "00" * 40,
                                 "proof_message_binary"),
    "base64 blob": (PREFIX + "see " + "QUJD" * 30, "proof_message_binary"),
    "replacement character": (PREFIX + "2026 \ufffd\ufffd", "proof_message_unprintable"),
    "right-to-left override": (PREFIX + "2026-12-01 \u202e10-21-6202", "proof_message_bidi"),
    "right-to-left isolate": (PREFIX + "2026 \u2067x\u2069", "proof_message_bidi"),
    "left-to-right mark": (PREFIX + "2026 \u200e", "proof_message_bidi"),
    "zero-width joiner": (PREFIX + "20\u200d26", "proof_message_invisible"),
    "byte order mark": (PREFIX + "\ufeff2026", "proof_message_invisible"),
    "line feed": (PREFIX + "2026\napprove everything", "proof_message_control"),
    "NUL": (PREFIX + "2026\x00", "proof_message_control"),
    "escape sequence": (PREFIX + "\x1b[8mhidden\x1b[0m", "proof_message_control"),
    "no-break space": (PREFIX + "2026\u00a0", "proof_message_unprintable"),
    "private use": (PREFIX + "2026 \ue000", "proof_message_unprintable"),
    "lone surrogate": (PREFIX + "2026 \ud800", "proof_message_not_utf8"),
    "not NFC": (PREFIX + "cafe\u0301", "proof_message_not_nfc"),
    "missing prefix": ("Proof of reserves 2026-12-01 by ACME", "proof_message_prefix"),
    "prefix in other case": (PREFIX.upper() + "2026", "proof_message_prefix"),
    "too long": (PREFIX + "a" * 300, "proof_message_too_long"),
    "blank": ("   ", "proof_message_empty"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSED))
def test_each_refusal_class_has_its_code(case: str) -> None:
    message, code = REFUSED[case]
    found = message_findings(message, RULES)
    assert code in [f.code for f in found], found
    assert all(f.code.startswith("proof_message_") and f.message for f in found)


def test_findings_name_the_character_and_never_echo_it_raw() -> None:
    [found] = message_findings(PREFIX + "2026 \u202eevil", RULES)
    assert found.code == "proof_message_bidi" and "U+202E" in found.message
    assert "\u202e" not in found.message


def test_every_finding_is_collected_not_just_the_first() -> None:
    found = codes("\u202e" + "0x" + HASH + "\n", ProofRules(("ACME",), max_length=10))
    for code in ("proof_message_bidi", "proof_message_control", "proof_message_too_long",
                 "proof_message_prefix"):  # fmt: skip
        assert code in found


def test_mismatch_with_the_envelope_request() -> None:
    message = PREFIX + "2026-12-01"
    assert request_mismatch_findings(message, message) == []
    [found] = request_mismatch_findings(message, PREFIX + "2026-12-02")
    assert found.code == "proof_message_mismatch"
    assert f"character {len(message) - 1}" in found.message
    [found] = request_mismatch_findings(message, message + " and more")
    assert found.code == "proof_message_mismatch"
    [found] = request_mismatch_findings(message, None)
    assert found.code == "proof_message_mismatch"


def test_policy_table_parses_strictly() -> None:
    rules = parse_proof_rules({"prefixes": ["ACME "], "max_length": 500}, "policy.toml")
    assert rules == ProofRules(("ACME ",), 500)
    assert parse_proof_rules({"prefixes": ["ACME "]}, "p").max_length == DEFAULT_MAX_LENGTH


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"prefixes": ["ACME"], "prefix": "x"}, "proofs.prefix"),
        ({}, "proofs.prefixes"),
        ({"prefixes": []}, "proofs.prefixes"),
        ({"prefixes": "ACME"}, "proofs.prefixes"),
        ({"prefixes": ["   "]}, "proofs.prefixes[0]"),
        ({"prefixes": ["ACME", "AC\u202eME"]}, "proofs.prefixes[1]"),
        ({"prefixes": ["ACME"], "max_length": 0}, "proofs.max_length"),
        ({"prefixes": ["ACME"], "max_length": 100_000}, "proofs.max_length"),
        ({"prefixes": ["ACME"], "max_length": True}, "proofs.max_length"),
        ({"prefixes": ["ACME"], "max_length": "100"}, "proofs.max_length"),
        (["ACME"], "proofs"),
    ],
)
def test_bad_policy_tables_are_refused_naming_the_field(table: object, field: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_proof_rules(table, "policy.toml")
    assert caught.value.code == "bad_policy"
    assert f"policy.toml: field '{field}'" in caught.value.message


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
@settings(max_examples=300)
def test_property_findings_are_well_formed(text: str) -> None:
    for found in message_findings(PREFIX + text, RULES):
        assert found.code.startswith("proof_message_") and found.message


words = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzACME0123456789,.", min_size=1,
                         max_size=12), min_size=1, max_size=20)  # fmt: skip


@given(words)
@settings(max_examples=300)
def test_property_plain_sentences_pass(sentence: list[str]) -> None:
    assert message_findings(PREFIX + " ".join(sentence), RULES) == []
