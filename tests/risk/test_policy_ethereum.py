"""The policy's [ethereum] section: block gas limit and refunds (docs/risk-policy.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from risk_support import base_document, set_path, write_policy

from signer.errors import BadInput, Exit
from signer.risk import load_policy, policy_hash


def test_defaults_refuse_refunds_at_mainnet_block_gas(tmp_path: Path) -> None:
    rules = load_policy(write_policy(tmp_path, base_document())).document.ethereum
    assert (rules.block_gas_limit, rules.allow_refunds, rules.max_refund_wei) == (
        30_000_000, False, None,
    )  # fmt: skip


def test_refunds_with_a_bound_in_wei(tmp_path: Path) -> None:
    doc = set_path(base_document(), "ethereum", {
        "allow_refunds": True, "max_refund": "0.000000000000000001", "block_gas_limit": 36_000_000,
    })  # fmt: skip
    rules = load_policy(write_policy(tmp_path, doc)).document.ethereum
    assert (rules.allow_refunds, rules.max_refund_wei, rules.block_gas_limit) == (
        True, 1, 36_000_000,
    )  # fmt: skip


def test_a_policy_without_the_section_keeps_its_hash(tmp_path: Path) -> None:
    """Existing policies hash as before: defaults are not written into the canonical form."""
    path = write_policy(tmp_path, base_document())
    assert load_policy(path).hash == policy_hash(path.read_bytes())
    assert b'ethereum":{' not in load_policy(path).canonical


BAD: list[tuple[str, str, Any, str, str]] = [
    ("refunds without a bound", "ethereum.allow_refunds", True, "ethereum.max_refund", "most"),
    ("refunds as string", "ethereum.allow_refunds", "yes", "ethereum.allow_refunds", "bool"),
    (
        "bound below one wei",
        "ethereum.max_refund",
        "0.0000000000000000001",
        "ethereum.max_refund",
        "18 decimal places",
    ),
    ("bound as float", "ethereum.max_refund", 0.1, "ethereum.max_refund", "decimal string"),
    ("tiny block", "ethereum.block_gas_limit", 21_000, "ethereum.block_gas_limit", "1000000"),
    ("block as string", "ethereum.block_gas_limit", "30000000", "ethereum.block_gas_limit", "int"),
    ("unknown key", "ethereum.max_gas_price", 1, "ethereum.max_gas_price", "unknown key"),
]


@pytest.mark.parametrize(("path", "value", "field", "words"), [c[1:] for c in BAD],
                         ids=[c[0] for c in BAD])  # fmt: skip
def test_bad_ethereum_section_names_file_field_and_expectation(
    tmp_path: Path, path: str, value: Any, field: str, words: str
) -> None:
    policy_file = write_policy(tmp_path, set_path(base_document(), path, value))
    with pytest.raises(BadInput) as caught:
        load_policy(policy_file)
    message = caught.value.message
    assert message.startswith(f"{policy_file}: field '{field}': expected "), message
    assert words in message, message
    assert caught.value.exit == Exit.BAD_INPUT and caught.value.code == "bad_policy"
