"""Issue 17's refusals: each is imported, rejected with its own reason code, and never
signed (no token asked, nothing to export); an ordinary withdrawal still signs after them.
A proof moves nothing: it never enters the velocity ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from signer.cli.main import run
from signer.store import drafts
from signer.usecases.appliance import Appliance
from tests.bitcoin.builders import make_wallet
from tests.intake.intake_samples import VAULT, envelope_bytes
from tests.pipeline.conftest import imported, psbt_file, registered
from tests.proof_kind.conftest import MESSAGE, PREFIX, ProofHome, write

PERMIT2 = json.dumps({
    "types": {"EIP712Domain": [{"name": "name", "type": "string"}],
              "PermitSingle": [{"name": "details", "type": "PermitDetails"}]},
    "primaryType": "PermitSingle",
    "domain": {"name": "Permit2", "chainId": 1,
               "verifyingContract": "0x000000000022D473030F116dDEE9F6B43aC78BA3"},
    "message": {"details": {"token": "0x" + "11" * 20, "amount": "1461501637330902918203684832"
                            "716283019655932542975"}, "spender": "0x" + "22" * 20,
                "sigDeadline": "1767225600"},
})


def refused_and_unsigned(home: ProofHome, tmp_path: Path, name: str, doc: dict[str, Any],
                         code: str, source: Path | None = None) -> str:
    cli = home.cli
    status, result = cli("import", str(source or write(tmp_path / f"{name}.json", doc)))
    assert result["refused"] == [], result
    [draft] = result["drafts"]
    assert status == 3 and draft["verdict"] == "reject", draft
    assert code in [r["code"] for r in draft["reasons"]], draft["reasons"]
    status, signed = cli("sign", draft["id"], "--holder", "A", "--holder", "B")
    assert status == 3 and signed["signed"] == [], signed
    assert signed["refused"][0]["code"] in [r["code"] for r in draft["reasons"]], signed
    out = tmp_path / f"usb-{name}"
    out.mkdir()
    status, exported = cli("export", draft["id"], "--out", str(out))
    assert status != 0 and list(out.iterdir()) == [], exported
    app = Appliance.open(cli.home)
    try:
        row = drafts.get(app.conn, draft["id"])
        assert row is not None and not row.signatures
    finally:
        app.close()
    return str(draft["id"])


def test_what_is_not_a_proof_is_refused_with_its_code_and_never_signed(
    proof_home: ProofHome, tmp_path: Path
) -> None:
    home = proof_home
    ours = home.wallet_addresses(2, 1)
    stranger = make_wallet().wallet.address(0, 3)  # another 2-of-3 wallet's P2WSH address
    cases = {
        "other-wallet": (home.request([*ours, stranger]), "proof_address_not_ours"),
        "permit2": (home.request(ours, PREFIX + PERMIT2), "proof_message_typed_data"),
        "bare-permit2": (home.request(ours, PERMIT2), "proof_message_typed_data"),
        "hash": (home.request(ours, "0x" + "5a" * 32), "proof_message_hash"),
        "hash-after-prefix": (home.request(ours, PREFIX + "ab" * 32), "proof_message_hash"),
        "bidi": (home.request(ours, PREFIX + "2026-12-01 \u202eACME owes nothing"),
                 "proof_message_bidi"),
        "no-prefix": (home.request(ours, "Other Exchange proof of reserves 2026-12-01"),
                      "proof_message_prefix"),
        "other-safe": (dict(home.request(ours), ethereum={
            "safe": "0x" + "33" * 20, "chainId": home.chain.chain_id}), "proof_safe_not_ours"),
    }
    for name, (doc, code) in cases.items():
        refused_and_unsigned(home, tmp_path, name, doc, code)


def _sealed(tmp_path: Path, name: str, request: dict[str, Any], said: str) -> Path:
    body = json.dumps({
        "format": "airsign-draft/1", "id": name, "created_at": "2026-12-01T10:00:00Z",
        "chain": "proof", "network": "regtest",
        "request": {"message": said, "reference": "monthly report 2026-12"},
        "payload": {"proof_request": request}}).encode()
    path = tmp_path / f"{name}.envelope.json"
    path.write_bytes(envelope_bytes(body))
    return path


def test_an_envelope_saying_another_message_is_refused_and_a_true_one_signs(
    proof_home: ProofHome, tmp_path: Path
) -> None:
    cli = proof_home.cli
    key = tmp_path / "vault.pem"
    key.write_bytes(VAULT.public_key().public_bytes(Encoding.PEM,
                                                     PublicFormat.SubjectPublicKeyInfo))
    assert cli("vault-key", "add", str(key), "--id", "vault-2026", "--holders", "A,B")[0] == 0
    request = proof_home.request(proof_home.wallet_addresses(3, 0))
    lying = _sealed(tmp_path, "PR-1", request, MESSAGE.replace("2026-12-01", "2026-11-01"))
    lying_id = refused_and_unsigned(proof_home, tmp_path, "lying", {},
                                    "proof_message_mismatch", lying)
    code, shown = cli("show", lying_id)
    assert code == 0 and "2026-11-01" in json.dumps(shown), shown  # the request, labelled
    # A request whose envelope says its very message is signed.
    honest = dict(request, message=MESSAGE + " (December)")
    code, doc = cli("import", str(_sealed(tmp_path, "PR-2", honest, honest["message"])))
    assert code == 0 and doc["drafts"][0]["verdict"] == "approve", doc
    code, signed = cli("sign", doc["drafts"][0]["id"], "--holder", "A", "--holder", "C")
    assert code == 0 and signed["signed"][-1]["complete"], signed


def test_an_ordinary_withdrawal_still_signs_after_proofs_and_proofs_count_for_nothing(
    proof_home: ProofHome, tmp_path: Path
) -> None:
    cli = proof_home.cli
    code, doc = cli("import", str(write(tmp_path / "p.json",
                                        proof_home.request(proof_home.wallet_addresses(2, 2)))))
    assert code == 0
    proof_id = doc["drafts"][0]["id"]
    assert cli("sign", proof_id, "--holder", "B", "--holder", "C")[0] == 0
    refused_and_unsigned(proof_home, tmp_path, "bidi", proof_home.request(
        proof_home.wallet_addresses(1, 0), PREFIX + "\u2067x"), "proof_message_bidi")
    app = Appliance.open(cli.home)
    try:
        counted = app.conn.execute("SELECT COUNT(*) FROM risk_signed WHERE draft_id = ?",
                                   (proof_id,)).fetchone()[0]
    finally:
        app.close()
    assert counted == 0  # the signed proof is not in the velocity ledger
    withdrawal = imported(cli, psbt_file(tmp_path, registered(cli), "w.psbt", 100_000))
    assert withdrawal["verdict"] == "approve", withdrawal
    code, signed = cli("sign", withdrawal["id"], "--holder", "A", "--holder", "B")
    assert code == 0 and signed["signed"][-1]["complete"], signed


def test_a_proof_of_one_part_only_signs_and_verifies(
    proof_home: ProofHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Either chain part may be left out: a Safe-only and a Bitcoin-only proof."""
    cli = proof_home.cli
    safe_only = proof_home.request([])
    del safe_only["bitcoin"]
    bitcoin_only = proof_home.request(proof_home.wallet_addresses(1, 1), safe=False)
    for name, doc in (("safe-only", safe_only), ("bitcoin-only", bitcoin_only)):
        code, result = cli("import", str(write(tmp_path / f"{name}.json", doc)))
        assert code == 0, result
        draft_id = result["drafts"][0]["id"]
        assert cli("sign", draft_id, "--holder", "A", "--holder", "C")[0] == 0
        out = tmp_path / name
        out.mkdir()
        assert cli("export", draft_id, "--out", str(out))[0] == 0
        proof = json.loads((out / f"{draft_id}.proof.json").read_text())
        assert ("bitcoin" in proof, "ethereum" in proof) == (name == "bitcoin-only",
                                                             name == "safe-only")
        capsys.readouterr()
        assert run(["--json", "proof", "verify", str(out / f"{draft_id}.proof.json")]) == 0
        assert json.loads(capsys.readouterr().out)["ok"] is True
