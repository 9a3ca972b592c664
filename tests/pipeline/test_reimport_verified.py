"""Issue 15 item 6: a re-import (or a PSBT arriving with signatures) merges only what is proven.

Every attack is built as a hostile vault would, with embit on the PSBT the appliance
exports or was given, never with the appliance's own builders. Each is refused with its
code and exit 3, the stored draft stays byte for byte as it was, and the wallet is not
frozen: the draft attacked still completes with a real SoftHSM holder, and an ordinary
new draft imports and signs after it.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from embit import ec
from embit.networks import NETWORKS
from embit.psbt import PSBT, DerivationPath
from embit.script import Script

from signer.cli.main import run
from tests.bitcoin.builders import Spend
from tests.conftest import Cli
from tests.ethereum.safe_chain import SafeWallet
from tests.intake.intake_samples import VAULT, draft_bytes, envelope_bytes
from tests.pipeline.conftest import imported, psbt_file, registered, verify_final
from tests.pipeline.test_safe_pipeline import _draft_file, safe_setup  # noqa: F401

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _snapshot(cli: Cli, draft_id: str) -> tuple[Any, ...]:
    """The stored draft as the database holds it: its row, its signatures, merge entries."""
    conn = sqlite3.connect(cli.home / "state.db")
    try:
        row = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        signatures = conn.execute("SELECT * FROM draft_signatures WHERE draft_id = ? "
                                  "ORDER BY holder", (draft_id,)).fetchall()
        merges = conn.execute("SELECT count(*) FROM journal WHERE kind = 'draft_combined'"
                              ).fetchone()
        return row, signatures, merges
    finally:
        conn.close()


def _stored_psbt(cli: Cli, draft_id: str) -> PSBT:
    conn = sqlite3.connect(cli.home / "state.db")
    try:
        payload = conn.execute("SELECT payload FROM drafts WHERE id = ?", (draft_id,)
                               ).fetchone()[0]
    finally:
        conn.close()
    return PSBT.parse(bytes(payload))


def _write(tmp_path: Path, name: str, psbt: PSBT) -> Path:
    path = tmp_path / name
    path.write_bytes(base64.b64encode(psbt.serialize()))
    return path


def _signed_by_a(cli: Cli, tmp_path: Path) -> tuple[dict[str, Any], Path]:
    path = psbt_file(tmp_path, registered(cli), "w.psbt", 100_000)
    draft = imported(cli, path)
    code, signed = cli("sign", draft["id"], "--holder", "A")
    assert code == 0 and signed["signed"][0]["complete"] is False
    return draft, path


def _refused(cli: Cli, path: Path, code: str) -> dict[str, str]:
    exit_code, doc = cli("import", str(path))
    assert exit_code == 3, doc
    assert doc["drafts"] == [] and [r["code"] for r in doc["refused"]] == [code], doc
    return doc["refused"][0]


def _still_signs(cli: Cli, tmp_path: Path, draft_id: str, holder: str = "B") -> None:
    """The attacked draft completes with one more real holder, and a new ordinary draft
    imports and signs: nothing is frozen."""
    code, signed = cli("sign", draft_id, "--holder", holder)
    assert code == 0 and signed["signed"][0]["complete"] is True, signed
    fresh = imported(cli, psbt_file(tmp_path, registered(cli), "next.psbt", 200_000,
                                    spends=[Spend((0, 2), 1_000_000)], payee="next"))
    assert fresh["verdict"] == "approve" and fresh["new"] is True
    for who in ("A", "C"):
        assert cli("sign", fresh["id"], "--holder", who)[0] == 0
    out = tmp_path / f"usb-{os.urandom(4).hex()}"
    out.mkdir()
    assert cli("export", draft_id, fresh["id"], "--out", str(out))[0] == 0
    for ident in (draft_id, fresh["id"]):
        verify_final((out / f"{ident}.tx.hex").read_text().strip(), out / f"{ident}.psbt")
    assert cli("audit", "verify")[1]["ok"] is True


def _holder_key(psbt: PSBT, index: int) -> bytes:
    """A wallet key of input ``index`` that has not signed it (B or C)."""
    signed = {key.sec() for key in psbt.inputs[index].partial_sigs}
    return next(key.sec() for key in psbt.inputs[index].bip32_derivations
                if key.sec() not in signed)


def _segwit_digest(psbt: PSBT, index: int, sighash: int = 1) -> bytes:
    inp = psbt.inputs[index]
    return psbt.tx.sighash_segwit(index, inp.witness_script, inp.utxo.value, sighash=sighash)


@pytest.mark.parametrize("junk", ["random_bytes", "valid_der_wrong_key", "high_s"])
def test_a_junk_signature_refuses_the_whole_import_and_leaves_the_draft_untouched(
    wallet_cli: Cli, tmp_path: Path, junk: str
) -> None:
    draft, _ = _signed_by_a(wallet_cli, tmp_path)
    before = _snapshot(wallet_cli, draft["id"])
    hostile = _stored_psbt(wallet_cli, draft["id"])
    target = _holder_key(hostile, 0)
    if junk == "random_bytes":
        signature = os.urandom(70) + b"\x01"
    else:
        # A real signature over the right digest, by a key that is not the one named.
        made = ec.PrivateKey(os.urandom(32)).sign(_segwit_digest(hostile, 0))
        signature = made.serialize() + b"\x01"
        if junk == "high_s":  # B's key named, the S value flipped: not strict low-S
            r_len = signature[3]
            s = int.from_bytes(signature[6 + r_len:-1], "big")
            high = SECP256K1_N - s
            body = signature[4:4 + r_len]
            s_bytes = high.to_bytes(33, "big").lstrip(b"\x00")
            if s_bytes[0] & 0x80:
                s_bytes = b"\x00" + s_bytes
            der = b"\x02" + bytes([r_len]) + body + b"\x02" + bytes([len(s_bytes)]) + s_bytes
            signature = b"\x30" + bytes([len(der)]) + der + b"\x01"
    hostile.inputs[0].partial_sigs[ec.PublicKey.parse(target)] = signature
    refused = _refused(wallet_cli, _write(tmp_path, "junk.psbt", hostile), "signature_invalid")
    assert "input 0" in refused["message"] and "nothing was merged" in refused["message"]
    assert _snapshot(wallet_cli, draft["id"]) == before
    _still_signs(wallet_cli, tmp_path, draft["id"])


def test_a_signature_by_a_foreign_key_is_refused_at_re_import_and_first_import(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    draft, _ = _signed_by_a(wallet_cli, tmp_path)
    before = _snapshot(wallet_cli, draft["id"])
    hostile = _stored_psbt(wallet_cli, draft["id"])
    stranger = ec.PrivateKey(os.urandom(32))
    last = len(hostile.inputs) - 1
    valid = stranger.sign(_segwit_digest(hostile, last)).serialize() + b"\x01"
    hostile.inputs[last].partial_sigs[stranger.get_public_key()] = valid
    refused = _refused(wallet_cli, _write(tmp_path, "foreign.psbt", hostile),
                       "signature_foreign")
    assert f"input {last}" in refused["message"]
    assert stranger.get_public_key().sec().hex() in refused["message"]
    assert _snapshot(wallet_cli, draft["id"]) == before

    # The same attack on a draft never seen: refused, nothing stored.
    other = PSBT.parse(base64.b64decode(psbt_file(tmp_path, registered(wallet_cli), "o.psbt",
                                                  300_000, spends=[Spend((0, 3), 2_000_000)])
                                        .read_bytes()))
    other.inputs[0].partial_sigs[stranger.get_public_key()] = (
        stranger.sign(_segwit_digest(other, 0)).serialize() + b"\x01")
    _refused(wallet_cli, _write(tmp_path, "foreign-new.psbt", other), "signature_foreign")
    assert len(wallet_cli("drafts")[1]["drafts"]) == 1
    _still_signs(wallet_cli, tmp_path, draft["id"], holder="C")


def test_a_second_signature_by_the_same_key_never_makes_a_quorum(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    draft, _ = _signed_by_a(wallet_cli, tmp_path)
    before = _snapshot(wallet_cli, draft["id"])
    stored = _stored_psbt(wallet_cli, draft["id"])
    # A's own signature again, under A's key written uncompressed: one key, two entries.
    hostile = _stored_psbt(wallet_cli, draft["id"])
    for inp in hostile.inputs:
        (key, signature), = inp.partial_sigs.items()
        twin = ec.PublicKey.parse(key.sec())
        twin.compressed = False
        inp.partial_sigs[twin] = signature
    refused = _refused(wallet_cli, _write(tmp_path, "twice.psbt", hostile), "signature_foreign")
    assert "input 0" in refused["message"]
    assert _snapshot(wallet_cli, draft["id"]) == before
    # The stored draft imported again as it is: known, nothing merged, A counted once.
    code, doc = wallet_cli("import", str(_write(tmp_path, "same.psbt", stored)))
    again = doc["drafts"][0]
    assert (code, again["new"], again["state"]) == (0, False, "partially_signed")
    assert _snapshot(wallet_cli, draft["id"]) == before
    code, listed = wallet_cli("drafts")
    assert listed["drafts"][0]["signatures"] == {"A": True, "B": False, "C": False}
    code, refused_again = wallet_cli("sign", draft["id"], "--holder", "A")
    assert code == 3 and refused_again["refused"][0]["code"] == "already_signed"
    _still_signs(wallet_cli, tmp_path, draft["id"], holder="C")


@pytest.mark.parametrize("byte", [0x81, 0x02, 0x03, 0x83, 0x00])
def test_a_signature_with_another_sighash_byte_is_refused(
    wallet_cli: Cli, tmp_path: Path, byte: int
) -> None:
    draft, _ = _signed_by_a(wallet_cli, tmp_path)
    before = _snapshot(wallet_cli, draft["id"])
    hostile = _stored_psbt(wallet_cli, draft["id"])
    # Another key's signature with a sighash type that would let the vault change the
    # outputs or the other inputs after signing.
    target = _holder_key(hostile, 0)
    stranger = ec.PrivateKey(os.urandom(32))
    hostile.inputs[0].partial_sigs[ec.PublicKey.parse(target)] = (
        stranger.sign(_segwit_digest(hostile, 0, byte or 1)).serialize() + bytes([byte]))
    refused = _refused(wallet_cli, _write(tmp_path, "anyone.psbt", hostile), "sighash_not_all")
    assert "input 0" in refused["message"] and f"0x{byte:02x}" in refused["message"]
    assert _snapshot(wallet_cli, draft["id"]) == before
    _still_signs(wallet_cli, tmp_path, draft["id"])


def _unknown_global(psbt: PSBT) -> None:
    psbt.unknown[b"\xfc\x05vault"] = b"\x01"


def _unknown_input(psbt: PSBT) -> None:
    psbt.inputs[0].unknown[b"\xfc\x05vault"] = b"\x01"


def _derivation(psbt: PSBT) -> None:
    key, origin = next(iter(psbt.inputs[0].bip32_derivations.items()))
    psbt.inputs[0].bip32_derivations[key] = DerivationPath(b"\x00\x00\x00\x00",
                                                            origin.derivation)


def _no_previous_tx(psbt: PSBT) -> None:
    psbt.inputs[0].non_witness_utxo = None


def _witness_script(psbt: PSBT) -> None:
    psbt.inputs[0].witness_script = Script(b"\x51")


def _change_derivation(psbt: PSBT) -> None:
    psbt.outputs[1].bip32_derivations.clear()


@pytest.mark.parametrize("variant", [_unknown_global, _unknown_input, _derivation,
                                     _no_previous_tx, _witness_script, _change_derivation])
def test_a_variant_of_a_stored_draft_is_a_payload_conflict(
    wallet_cli: Cli, tmp_path: Path, variant: Callable[[PSBT], None]
) -> None:
    draft, path = _signed_by_a(wallet_cli, tmp_path)
    before = _snapshot(wallet_cli, draft["id"])
    hostile = PSBT.parse(base64.b64decode(path.read_bytes()))  # the unsigned original
    variant(hostile)
    refused = _refused(wallet_cli, _write(tmp_path, "variant.psbt", hostile), "payload_conflict")
    assert draft["id"] in refused["message"] and "partially_signed" in refused["message"]
    assert _snapshot(wallet_cli, draft["id"]) == before
    _still_signs(wallet_cli, tmp_path, draft["id"])


def test_a_verified_signature_made_elsewhere_is_merged_and_journaled(
    wallet_cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A's real signature, made by the SoftHSM token for the same draft on a copy of this
    home (another appliance), comes back in the PSBT: proven, merged, journaled, counted."""
    path = psbt_file(tmp_path, registered(wallet_cli), "w.psbt", 100_000)
    draft = imported(wallet_cli, path)
    elsewhere = Cli(tmp_path / "elsewhere", capsys)
    shutil.copytree(wallet_cli.home, elsewhere.home)
    assert elsewhere("sign", draft["id"], "--holder", "A")[0] == 0
    signed_elsewhere = _stored_psbt(elsewhere, draft["id"])
    code, doc = wallet_cli("import", str(_write(tmp_path, "back.psbt", signed_elsewhere)))
    assert code == 0 and doc["drafts"][0]["new"] is False, doc
    assert _stored_psbt(wallet_cli, draft["id"]).serialize() == signed_elsewhere.serialize()
    _, merges = wallet_cli("audit", "show", "--kind", "draft_combined")
    assert [e["data"]["draft"] for e in merges["entries"]] == [draft["id"]]
    assert len(merges["entries"][0]["data"]["signatures"]) == len(signed_elsewhere.inputs)
    # One holder here completes the quorum with the merged signature.
    _still_signs(wallet_cli, tmp_path, draft["id"], holder="C")


def test_a_re_import_says_already_known_with_the_state(wallet_cli: Cli, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    draft, path = _signed_by_a(wallet_cli, tmp_path)
    capsys.readouterr()
    code = run(["--home", str(wallet_cli.home), "import", str(path)])
    out = capsys.readouterr().out
    assert code == 0 and f"{draft['id']}" in out
    assert "already known (state partially_signed)" in out
    code, doc = wallet_cli("import", str(path))
    assert (doc["drafts"][0]["new"], doc["drafts"][0]["state"]) == (False, "partially_signed")


def test_a_safe_variant_with_the_same_hash_is_a_payload_conflict(
    safe_setup: tuple[Cli, SafeWallet], tmp_path: Path,  # noqa: F811 (the imported fixture)
) -> None:
    """The Safe JSON carries no signatures (an extra field is refused); one that hashes the
    same but reads differently is a conflict; the stored draft still signs and executes."""
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    payee = "0x" + "ab" * 20
    path = _draft_file(tmp_path, deployed, "eth.json", to=payee, value=str(10**18))
    draft = imported(cli, path)
    assert cli("sign", draft["id"], "--holder", "A")[0] == 0
    before = _snapshot(cli, draft["id"])
    original = json.loads(path.read_text())
    tx = chain.draft(safe, "1.4.1", to=payee, value=str(10**18))
    claimed = {**original, "safeTxHash": "0x" + chain.contract_hash(safe, tx).hex()}
    older = {**original, "safeVersion": "1.3.0"}  # same EIP-712 domain: same safeTxHash
    for name, variant in (("claimed.json", claimed), ("older.json", older)):
        (tmp_path / name).write_text(json.dumps(variant))
        refused = _refused(cli, tmp_path / name, "payload_conflict")
        assert draft["id"] in refused["message"]
    signed = {**original, "signatures": "0x" + "11" * 65}
    (tmp_path / "signed.json").write_text(json.dumps(signed))
    code, doc = cli("import", str(tmp_path / "signed.json"))
    assert code == 2 and [r["code"] for r in doc["refused"]] == ["unknown_field"]
    assert _snapshot(cli, draft["id"]) == before
    assert cli("sign", draft["id"], "--holder", "C")[0] == 0
    out = tmp_path / "usb"
    out.mkdir()
    assert cli("export", draft["id"], "--out", str(out))[0] == 0
    exported = json.loads((out / f"{draft['id']}.safe-signatures.json").read_text())
    before_balance = chain.balance(payee)
    chain.execute(safe, tx, bytes.fromhex(exported["packed"][2:]))
    assert chain.balance(payee) - before_balance == 10**18


def test_the_verdict_after_a_re_import_is_the_stored_drafts(wallet_cli: Cli,
                                                            tmp_path: Path) -> None:
    """A draft rejected for its envelope (the request says 0.5 BTC, the PSBT pays 0.001)
    comes back as a plain PSBT, then in an envelope whose request matches: the first is
    judged with the stored envelope (still rejected), the second is a conflict."""
    key = tmp_path / "vault.pem"
    key.write_bytes(VAULT.public_key().public_bytes(Encoding.PEM,
                                                     PublicFormat.SubjectPublicKeyInfo))
    assert wallet_cli("vault-key", "add", str(key), "--id", "vault-2026",
                      "--holders", "A,B")[0] == 0
    path = psbt_file(tmp_path, registered(wallet_cli), "w.psbt", 100_000)
    psbt_b64 = path.read_text()

    def sealed(name: str, amount: str) -> Path:
        body = draft_bytes(payload={"psbt": psbt_b64})
        doc = json.loads(body)
        doc["request"].update(amount=amount, destination=_payee(psbt_b64))
        out = tmp_path / name
        out.write_bytes(envelope_bytes(json.dumps(doc).encode()))
        return out

    code, doc = wallet_cli("import", str(sealed("lie.json", "0.5")))
    first = doc["drafts"][0]
    assert code == 3 and "request_mismatch" in [r["code"] for r in first["reasons"]]
    before = _snapshot(wallet_cli, first["id"])
    code, doc = wallet_cli("import", str(path))  # the same PSBT, plain
    again = doc["drafts"][0]
    assert (code, again["new"], again["verdict"], again["state"]) == (
        3, False, "reject", "rejected")
    assert "request_mismatch" in [r["code"] for r in again["reasons"]]
    refused = _refused(wallet_cli, sealed("fixed.json", "0.001"), "payload_conflict")
    assert "the envelope" in refused["message"] and "0.5" in refused["message"]
    assert _snapshot(wallet_cli, first["id"])[0] == before[0]
    code, refused_sign = wallet_cli("sign", first["id"], "--holder", "A")
    assert code == 3 and refused_sign["refused"][0]["code"] == "request_mismatch"
    _still_signs_new(wallet_cli, tmp_path)


def _payee(psbt_b64: str) -> str:
    """The address the PSBT pays (output 0: psbt_file puts the payment first)."""
    psbt = PSBT.parse(base64.b64decode(psbt_b64))
    return str(psbt.tx.vout[0].script_pubkey.address(NETWORKS["regtest"]))


def _still_signs_new(cli: Cli, tmp_path: Path) -> None:
    fresh = imported(cli, psbt_file(tmp_path, registered(cli), "next.psbt", 200_000,
                                    spends=[Spend((0, 2), 1_000_000)], payee="next"))
    for who in ("A", "C"):
        assert cli("sign", fresh["id"], "--holder", who)[0] == 0
    out = tmp_path / "usb-new"
    out.mkdir()
    assert cli("export", fresh["id"], "--out", str(out))[0] == 0
    verify_final((out / f"{fresh['id']}.tx.hex").read_text().strip(), out / f"{fresh['id']}.psbt")
