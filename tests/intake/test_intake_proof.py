"""Proof requests at intake: a bare request file is recognised by its content, an envelope
of chain "proof" carries a message request (not a transfer's), and each kind's request
shape is enforced on its own drafts only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from signer.canonical import canonical_json
from tests.intake.intake_samples import draft, draft_bytes, envelope_bytes, run

ADDRESS = "bcrt1qv3kcpkvva9rkp0p53kwj03y63pmx24sldyz30z7hpf6wqfjhm0aq96lspp"
REQUEST = {"type": "proof-of-reserves", "message": "ACME Exchange proof of reserves 2026-12-01",
           "bitcoin": {"addresses": [ADDRESS]},
           "ethereum": {"safe": "0x" + "5a" * 20, "chainId": 1}}


def proof_draft(**changes: Any) -> dict[str, Any]:
    doc = draft("bitcoin", id="PR-1", chain="proof",
                request={"message": REQUEST["message"], "reference": "report 2026-12"},
                payload={"proof_request": REQUEST})
    doc.update(changes)
    return doc


def test_a_bare_request_file_is_a_plain_proof_draft(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(REQUEST))
    result = run(path)
    assert result.refused == []
    [found] = result.drafts
    assert (found.chain, found.envelope) == ("proof", None)
    assert json.loads(found.payload) == REQUEST


def test_an_enveloped_proof_carries_its_message_request(tmp_path: Path) -> None:
    path = tmp_path / "proof.envelope.json"
    path.write_bytes(envelope_bytes(json.dumps(proof_draft()).encode()))
    result = run(path)
    assert result.refused == []
    [found] = result.drafts
    assert found.chain == "proof" and found.envelope is not None
    assert found.envelope.request == {"message": REQUEST["message"],
                                      "reference": "report 2026-12"}
    assert found.payload == canonical_json(REQUEST)


def test_a_plain_proof_draft_names_its_message_in_the_notes(tmp_path: Path) -> None:
    path = tmp_path / "proof.draft.json"
    path.write_text(json.dumps(proof_draft()))
    [found] = run(path).drafts
    assert any('message "ACME Exchange proof of reserves 2026-12-01"' in n for n in found.notes)


@pytest.mark.parametrize(("request_doc", "expected"), [
    ({"asset": "BTC", "amount": "1", "destination": ADDRESS, "reference": ""},
     "field 'request.asset': not allowed; expected exactly message, reference"),
    ({"reference": "x"}, "field 'request.message': required but missing"),
    ({"message": "", "reference": "x"}, "field 'request.message': expected text of 1 to 4096"),
    ({"message": "x" * 4097, "reference": "x"}, "expected text of 1 to 4096"),
    ({"message": "m", "reference": "line\nbreak"}, "field 'request.reference'"),
])
def test_a_proof_envelope_refuses_any_other_request(
    tmp_path: Path, request_doc: dict[str, Any], expected: str
) -> None:
    path = tmp_path / "proof.envelope.json"
    path.write_bytes(envelope_bytes(json.dumps(proof_draft(request=request_doc)).encode()))
    [refused] = run(path).refused
    assert refused.code == "bad_draft_body" and expected in refused.message, refused


def test_a_transfer_still_refuses_a_message_request(tmp_path: Path) -> None:
    path = tmp_path / "btc.envelope.json"
    body = draft_bytes(request={"message": "pay me", "reference": "x"})
    path.write_bytes(envelope_bytes(body))
    [refused] = run(path).refused
    assert refused.code == "bad_draft_body"
    assert "field 'request.message': not allowed; expected exactly asset, amount, " \
           "destination, reference" in refused.message


def test_only_the_payload_may_nest_deeper_than_three(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(proof_draft(request={"message": {"a": {"b": 1}},
                                                    "reference": ""})))
    [refused] = run(path).refused
    assert "nested deeper than 3" in refused.message
