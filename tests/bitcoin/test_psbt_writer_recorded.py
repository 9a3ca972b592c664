"""Nothing changed on the wire when embit's serialisation replaced the hand-written
writer (issue 16): today's .psbt and .psbt.txt files, unsigned transactions (what a
draft id hashes) and network transactions equal what the old writer recorded, for
BIP-174's vectors and for the project's own drafts at every step (writer_cases.py)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from builders import SeededWallet
from writer_cases import BIP174, CASES, RECORDING, steps

from signer.chains.bitcoin.finalize import extract_transaction
from signer.chains.bitcoin.psbt_file import psbt_bytes, psbt_text, read_psbt
from signer.chains.bitcoin.wire import transaction_bytes

RECORDED: dict[str, Any] = json.loads(RECORDING.read_text())
VECTORS = {v["case"]: v for v in (lambda d: d["valid"] + d["fails_signer_checks"])(
    json.loads(BIP174.read_text()))}


def _all_recorded() -> list[str]:
    ours = [step for case in RECORDED["ours"].values()
            for name, step in case.items() if name not in ("unsigned transaction",
                                                             "network transaction")]
    return [v["psbt"] for v in RECORDED["bip174"]] + ours


def test_the_recording_covers_every_vector_and_every_case() -> None:
    assert [v["case"] for v in RECORDED["bip174"]] == list(VECTORS)
    assert list(RECORDED["ours"]) == list(CASES)
    # Four signed cases of six steps, one that stays unsigned.
    assert len(_all_recorded()) == 14 + 4 * 6 + 1


@pytest.mark.parametrize("recorded", RECORDED["bip174"], ids=lambda v: v["case"][:50])
def test_bip174_vectors_written_as_recorded(recorded: dict[str, str]) -> None:
    vector = VECTORS[recorded["case"]]
    for form in (bytes.fromhex(vector["hex"]), vector["base64"]):
        psbt = read_psbt(form)
        assert psbt_bytes(psbt).hex() == recorded["psbt"]
        assert psbt_text(psbt) == base64.b64encode(bytes.fromhex(recorded["psbt"])).decode()


@pytest.mark.parametrize("name", list(CASES))
def test_our_drafts_written_as_recorded_at_every_step(name: str, seeded: SeededWallet) -> None:
    recorded = RECORDED["ours"][name]
    made = dict(steps(name, seeded))
    assert set(made) | {"unsigned transaction", "network transaction"} >= set(recorded)
    for step, psbt in made.items():
        assert psbt_bytes(psbt).hex() == recorded[step], step
        assert base64.b64decode(psbt_text(psbt)).hex() == recorded[step], step
    assert transaction_bytes(made["unsigned"].tx).hex() == recorded["unsigned transaction"]
    if "finalized" in made:
        final = extract_transaction(made["finalized"])
        assert {"hex": final.hex, "txid": final.txid} == recorded["network transaction"]


def test_recorded_payloads_read_and_write_back_unchanged() -> None:
    """A draft stored by an older airsign is re-read and re-written (signing, export):
    its bytes must not move."""
    for index, raw in enumerate(_all_recorded()):
        assert psbt_bytes(read_psbt(bytes.fromhex(raw))).hex() == raw, index
