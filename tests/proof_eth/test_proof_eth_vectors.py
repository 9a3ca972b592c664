"""The recorded contract vectors (tests/vectors/safe-message-proofs.json) and the docs' example.

The vectors were produced by the real Safe bytecode (see the file's source); here they are
replayed without a chain, so a change to the construction shows even where py-evm is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from signer.chains.proof.ethereum_verify import verify_safe_proof_json
from signer.chains.proof.request import parse_proof_request_json
from signer.chains.proof.safe_message import (
    FALLBACK_HANDLER_SLOT,
    auditor_call,
    message_hash,
    safe_message_hash,
)

REPO = Path(__file__).resolve().parents[2]
CASES: list[dict[str, Any]] = json.loads(
    (REPO / "tests" / "vectors" / "safe-message-proofs.json").read_text()
)["cases"]
DOC_PAGES = [REPO / "docs" / "proof-of-reserves.md"]


def doc_block(name: str) -> str:
    marked = re.compile(rf"<!-- proof-eth: {name} -->\s*\n```[a-z]*\n(.*?)\n```", re.S)
    for page in DOC_PAGES:
        if page.exists() and (found := marked.search(page.read_text())):
            return found.group(1)
    raise AssertionError(f"no block marked proof-eth: {name} in {DOC_PAGES}")


def test_there_are_cases_for_every_version() -> None:
    assert {c["version"] for c in CASES} == {"1.1.1", "1.3.0", "1.4.1"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['version']}:{c['message'][:30]}")
def test_construction_reproduces_the_contracts_hashes_and_call(case: dict[str, Any]) -> None:
    digest = message_hash(case["message"])
    assert "0x" + digest.hex() == case["messageHash"]
    ours = safe_message_hash(digest, case["safe"], case["chainId"], case["version"])
    assert "0x" + ours.hex() == case["safeMessageHash"]
    call = auditor_call(digest, case["version"])
    assert call.function == case["function"]
    assert call.magic.hex() == case["returned"][2:]
    assert "0x" + call.calldata(bytes.fromhex(case["signatures"][2:])).hex() == case["calldata"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['version']}:{c['message'][:30]}")
def test_verifier_accepts_the_recorded_proof_and_not_another_message(case: dict[str, Any]) -> None:
    assert verify_safe_proof_json(case["message"], case, "vector").ok
    assert not verify_safe_proof_json(case["message"] + ".", case, "vector").ok


def test_the_documented_example_is_a_recorded_case() -> None:
    """The page's `ethereum` object is a recorded case (message aside), and it verifies."""
    example = json.loads(doc_block("safe-part"))
    [case] = [c for c in CASES if all(c.get(k) == v for k, v in example.items())]
    assert set(example) == {"safe", "chainId", "version", "owners", "threshold", "messageHash",
                            "safeMessageHash", "signatures"}  # fmt: skip
    assert case["message"] in doc_block("message")
    assert verify_safe_proof_json(case["message"], example, "docs example").ok


def test_the_documented_request_parses() -> None:
    request = parse_proof_request_json(doc_block("request"), "docs example")
    assert request.ethereum is not None and request.bitcoin_addresses


def test_the_documented_fallback_handler_slot() -> None:
    assert "0x" + FALLBACK_HANDLER_SLOT.hex() in doc_block("handler-slot")
