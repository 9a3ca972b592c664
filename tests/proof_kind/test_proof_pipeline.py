"""Issue 17's acceptance: a proof for 20 addresses (receive and change) and the Safe,
imported as a bare request file, signed by holders A and B in two sessions with their
SoftHSM tokens, exported, and checked by code airsign did not write: python-bitcointx's
interpreter with its standard flags, and the real Safe contract's isValidSignature
(v1.1.1 and v1.4.1 bytecode in py-evm). A tampered message, address or signature fails
both `airsign proof verify` and the contract."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from bitcointx.core.script import CScript, CScriptWitness
from bitcointx.core.scripteval import (
    STANDARD_SCRIPT_VERIFY_FLAGS,
    UNHANDLED_SCRIPT_VERIFY_FLAGS,
    VerifyScript,
)
from bitcointx.wallet import CCoinAddress

from signer.chains.proof.bitcoin_verify import bitcointx_to_sign, bitcointx_to_spend
from signer.chains.proof.safe_message import auditor_call
from signer.cli.main import run
from tests.conftest import Cli
from tests.proof_kind.conftest import MESSAGE, ProofHome, make_home, write

# Bitcoin Core's standard flags, less the few python-bitcointx cannot evaluate (it refuses
# to run with them: CLTV/CSV, MINIMALDATA, CONST_SCRIPTCODE; none occur in a 2-of-3 witness).
FLAGS = set(STANDARD_SCRIPT_VERIFY_FLAGS) - set(UNHANDLED_SCRIPT_VERIFY_FLAGS)


def interpreter_accepts(address: str, message: str, simple: str) -> bool:
    """The witness through python-bitcointx's VerifyScript with its standard flags."""
    script_pubkey = CScript(bytes(CCoinAddress(address).to_scriptPubKey()))
    stack = CScriptWitness.deserialize(base64.b64decode(simple.removeprefix("smp")))
    to_sign = bitcointx_to_sign(bitcointx_to_spend(script_pubkey, message.encode()), stack)
    try:
        VerifyScript(CScript(), script_pubkey, to_sign, 0, flags=FLAGS, amount=0, witness=stack)
    except Exception:
        return False
    return True


def contract_accepts(home: ProofHome, safe_part: dict[str, Any], message_hash: str) -> bool:
    call = auditor_call(bytes.fromhex(message_hash[2:]), home.version)
    returned = home.chain.is_valid_signature(home.safe, call,
                                             bytes.fromhex(safe_part["signatures"][2:]))
    return returned == call.magic


def proof_verify(tmp_path: Path, name: str, document: dict[str, Any],
                 capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    """`airsign proof verify` with no home at all (an auditor's machine)."""
    path = write(tmp_path / name, document)
    capsys.readouterr()
    code = run(["--home", str(tmp_path / "no-home-here"), "--json", "proof", "verify",
                str(path)])
    return code, json.loads(capsys.readouterr().out)


def signed_proof(home: ProofHome, tmp_path: Path) -> tuple[str, dict[str, Any], str]:
    cli = home.cli
    addresses = home.wallet_addresses(10, 10)
    code, doc = cli("import", str(write(tmp_path / "request.json", home.request(addresses))))
    assert code == 0, doc
    [draft] = doc["drafts"]
    assert (draft["chain"], draft["verdict"]) == ("proof", "approve"), draft
    code, shown = cli("show", draft["id"])
    assert code == 0
    text = json.dumps(shown, ensure_ascii=False)
    assert MESSAGE in text and all(a in text.replace(" ", "") for a in addresses)
    # Two sessions: A signs in one run, B in another.
    code, first = cli("sign", draft["id"], "--holder", "A")
    assert code == 0 and first["signed"] == [{"id": draft["id"], "holder": "A",
                                              "complete": False}], first
    code, second = cli("sign", draft["id"], "--holder", "B")
    assert code == 0 and second["signed"][-1]["complete"] is True, second
    out = tmp_path / "usb"
    out.mkdir()
    code, doc = cli("export", draft["id"], "--out", str(out))
    assert code == 0, doc
    text = (out / f"{draft['id']}.proof.txt").read_text()
    assert MESSAGE in text
    return draft["id"], json.loads((out / f"{draft['id']}.proof.json").read_text()), text


@pytest.mark.parametrize("version", ["1.4.1", "1.1.1"])
def test_a_proof_of_20_addresses_and_the_safe_holds_for_code_we_did_not_write(
    cli: Cli, pins: str, tmp_path: Path, version: str, capsys: pytest.CaptureFixture[str]
) -> None:
    home = make_home(cli, tmp_path, version)
    draft_id, proof, _ = signed_proof(home, tmp_path)
    assert proof["type"] == "proof-of-reserves" and proof["message"] == MESSAGE
    assert len(proof["bitcoin"]) == 20
    assert {e["path"].split("/")[1] for e in proof["bitcoin"]} == {"0", "1"}
    for entry in proof["bitcoin"]:
        assert entry["bip322_simple"].startswith("smp") and entry["bip322_full"].startswith("ful")
        assert interpreter_accepts(entry["address"], MESSAGE, entry["bip322_simple"])
    safe = proof["ethereum"]
    assert (safe["safe"], safe["chainId"], safe["version"]) == (
        home.safe.address, home.chain.chain_id, version)
    assert contract_accepts(home, safe, safe["messageHash"])
    code, report = proof_verify(tmp_path, "good.proof.json", proof, capsys)
    assert code == 0 and report["ok"], report
    assert len(report["bitcoin"]) == 20 and report["ethereum"]["ok"]

    # A tampered message: every signature fails, for the verifier and for the contract.
    tampered = dict(proof, message=MESSAGE.replace("2026-12-01", "2026-12-02"))
    code, report = proof_verify(tmp_path, "message.proof.json", tampered, capsys)
    assert code == 3 and not report["ok"]
    assert not any(e["ok"] for e in report["bitcoin"]) and not report["ethereum"]["ok"]
    assert not interpreter_accepts(proof["bitcoin"][0]["address"], tampered["message"],
                                   proof["bitcoin"][0]["bip322_simple"])
    from signer.chains.proof.safe_message import message_hash
    assert not contract_accepts(home, safe, "0x" + message_hash(tampered["message"]).hex())

    # A tampered address: the first entry claims the second's address.
    swapped = copy.deepcopy(proof)
    swapped["bitcoin"][0]["address"] = proof["bitcoin"][1]["address"]
    code, report = proof_verify(tmp_path, "address.proof.json", swapped, capsys)
    assert code == 3 and [e["ok"] for e in report["bitcoin"]][:2] == [False, True]
    assert not interpreter_accepts(swapped["bitcoin"][0]["address"], MESSAGE,
                                   swapped["bitcoin"][0]["bip322_simple"])

    # A tampered signature: one bit of a BIP-322 signature, one of the Safe's.
    flipped = copy.deepcopy(proof)
    raw = bytearray(base64.b64decode(proof["bitcoin"][5]["bip322_simple"][3:]))
    raw[10] ^= 0x01  # inside the first DER signature
    flipped["bitcoin"][5]["bip322_simple"] = "smp" + base64.b64encode(raw).decode()
    signatures = bytearray(bytes.fromhex(safe["signatures"][2:]))
    signatures[40] ^= 0x01  # inside the first owner's s
    flipped["ethereum"]["signatures"] = "0x" + signatures.hex()
    code, report = proof_verify(tmp_path, "signature.proof.json", flipped, capsys)
    assert code == 3 and [i for i, e in enumerate(report["bitcoin"]) if not e["ok"]] == [5]
    assert not report["ethereum"]["ok"]
    assert not interpreter_accepts(flipped["bitcoin"][5]["address"], MESSAGE,
                                   flipped["bitcoin"][5]["bip322_simple"])
    assert not contract_accepts(home, flipped["ethereum"], safe["messageHash"])
    assert cli("sign", draft_id, "--holder", "C")[1]["refused"][0]["code"] == \
        "already_complete"
