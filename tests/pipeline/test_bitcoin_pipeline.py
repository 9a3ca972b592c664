"""Import -> screen -> two holders sign -> export, through the CLI against SoftHSM tokens."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from signer.chains.bitcoin.psbt_file import psbt_bytes, read_psbt
from signer.hsm.token import TokenSession
from signer.usecases.hash_words import digest_words
from tests.bitcoin.builders import Spend, build_psbt, external_script
from tests.conftest import Cli
from tests.pipeline.conftest import DATA, imported, psbt_file, registered, verify_final


def test_a_withdrawal_from_import_to_a_verified_transaction(wallet_cli: Cli,
                                                            tmp_path: Path) -> None:
    path = psbt_file(tmp_path, registered(wallet_cli), "w1.psbt", pay=1_500_000)
    draft = imported(wallet_cli, path)
    assert (draft["verdict"], draft["asset"], draft["amount"]) == ("approve", "BTC", "0.015")
    assert draft["exit"] == 0
    code, shown = wallet_cli("show", draft["id"])
    assert code == 0 and shown["words"][0].startswith("Send 0.015 BTC to bcrt1q")
    assert any("Change" in w and "(verified)" in w for w in shown["words"])

    code, signed = wallet_cli("sign", draft["id"], "--holder", "A")
    assert code == 0 and signed["signed"] == [{"id": draft["id"], "holder": "A",
                                               "complete": False}]
    code, listed = wallet_cli("drafts")
    assert listed["drafts"][0]["state"] == "partially_signed"
    assert listed["drafts"][0]["signatures"] == {"A": True, "B": False, "C": False}
    code, signed = wallet_cli("sign", draft["id"], "--holder", "C")
    assert code == 0 and signed["signed"][0]["complete"] is True

    out = tmp_path / "usb"
    out.mkdir()
    code, exported = wallet_cli("export", draft["id"], "--out", str(out))
    assert code == 0
    names = sorted(Path(f).name for f in exported["files"])
    assert names == sorted([f"{draft['id']}.psbt", f"{draft['id']}.psbt.txt",
                            f"{draft['id']}.tx.hex", "MANIFEST.sha256"])
    verify_final((out / f"{draft['id']}.tx.hex").read_text().strip(),
                  out / f"{draft['id']}.psbt")
    for line in (out / "MANIFEST.sha256").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert wallet_cli("audit", "verify")[1]["ok"] is True


def test_a_signed_draft_is_never_signed_again(wallet_cli: Cli, tmp_path: Path) -> None:
    draft = imported(wallet_cli, psbt_file(tmp_path, registered(wallet_cli), "w.psbt", 100_000))
    for holder in "AB":
        assert wallet_cli("sign", draft["id"], "--holder", holder)[0] == 0
    code, again = wallet_cli("sign", draft["id"], "--holder", "C")
    assert code == 3 and again["refused"][0]["code"] == "already_complete"
    draft2 = imported(wallet_cli, psbt_file(tmp_path, registered(wallet_cli), "x.psbt", 100_000,
                                           spends=[Spend((0, 2), 1_000_000)]))
    assert wallet_cli("sign", draft2["id"], "--holder", "A")[0] == 0
    code, twice = wallet_cli("sign", draft2["id"], "--holder", "A")
    assert code == 3 and twice["refused"][0]["code"] == "already_signed"


def test_the_same_file_imported_twice_is_one_draft(wallet_cli: Cli, tmp_path: Path) -> None:
    path = psbt_file(tmp_path, registered(wallet_cli), "w.psbt", 100_000)
    first, second = imported(wallet_cli, path), imported(wallet_cli, path)
    assert first["id"] == second["id"] and second["new"] is False
    assert len(wallet_cli("drafts")[1]["drafts"]) == 1


def test_a_draft_spending_an_outpoint_already_signed_is_a_conflict(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    wallet = registered(wallet_cli)
    spends = [Spend((0, 1), 50_000_000)]
    one = imported(wallet_cli, psbt_file(tmp_path, wallet, "1.psbt", 100_000, spends=spends))
    two = imported(wallet_cli, psbt_file(tmp_path, wallet, "2.psbt", 200_000, spends=spends))
    assert one["id"] != two["id"]
    assert wallet_cli("sign", one["id"], "--holder", "A")[0] == 0
    code, refused = wallet_cli("sign", two["id"], "--holder", "A")
    assert code == 3 and refused["refused"][0]["code"] == "conflict"
    assert one["id"] in refused["refused"][0]["message"]


def test_a_delayed_draft_is_signed_only_after_a_quorum_release(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    draft = imported(wallet_cli, psbt_file(tmp_path, registered(wallet_cli), "big.psbt",
                                          pay=300_000_000, spend=400_000_000))
    assert draft["verdict"] == "delay" and draft["exit"] == 4
    assert [r["code"] for r in draft["reasons"]] == ["max_per_draft"]
    code, refused = wallet_cli("sign", draft["id"], "--holder", "A")
    assert code == 4 and refused["refused"][0]["code"] == "max_per_draft"
    code, error = wallet_cli("release", draft["id"], "--holders", "A,A", "--reason", "ok")
    assert code == 2 and error["error"]["code"] == "holders_not_distinct"
    code, released = wallet_cli("release", draft["id"], "--holders", "A,B",
                                "--reason", "treasury rebalancing, ticket 42")
    assert code == 0 and released["released"] is True
    assert wallet_cli("sign", draft["id"], "--holder", "A")[0] == 0
    _, shown = wallet_cli("audit", "show", "--kind", "draft_released")
    assert shown["entries"][0]["data"]["reason"] == "treasury rebalancing, ticket 42"


def test_a_fraudulent_change_output_is_rejected_and_never_signed(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    wallet = registered(wallet_cli)
    psbt = build_psbt(wallet, [Spend((0, 0), 100_000_000)], [(external_script("x"), 1_000_000)],
                      change=((1, 0), 98_990_000))
    # The online side swaps the change output's script for its own but keeps the derivation.
    psbt.tx.vout[1].script_pubkey = psbt.outputs[1].script_pubkey = type(
        psbt.outputs[1].script_pubkey)(external_script("attacker"))
    path = tmp_path / "evil.psbt"
    path.write_bytes(psbt_bytes(psbt))
    draft = imported(wallet_cli, path)
    assert draft["verdict"] == "reject" and draft["exit"] == 3
    assert "fraudulent_change" in [r["code"] for r in draft["reasons"]]
    code, refused = wallet_cli("sign", draft["id"], "--holder", "A")
    assert code == 3 and refused["refused"][0]["code"] == "fraudulent_change"
    _, journal = wallet_cli("audit", "show", "--kind", "draft_signed")
    assert journal["entries"] == []


def test_without_a_policy_nothing_is_signed(cli: Cli, pins: str, tmp_path: Path) -> None:
    for d in ("s", "e"):
        (tmp_path / d).mkdir()
    assert cli("ceremony", "run", str(DATA / "ceremony.toml"), "--shares-dir",
               str(tmp_path / "s"), "--export-dir", str(tmp_path / "e"))[0] == 0
    path = psbt_file(tmp_path, registered(cli), "w.psbt", 100_000)
    code, doc = cli("import", str(path))
    assert code == 3, doc
    assert doc["refused"][0]["code"] == "plain_draft_refused"


def test_export_refuses_unsigned_drafts_and_an_used_directory(wallet_cli: Cli,
                                                              tmp_path: Path) -> None:
    draft = imported(wallet_cli, psbt_file(tmp_path, registered(wallet_cli), "w.psbt", 100_000))
    out = tmp_path / "usb"
    out.mkdir()
    code, doc = wallet_cli("export", draft["id"], "--out", str(out))
    assert code == 3 and doc["refused"][0]["code"] == "not_signed" and doc["files"] == []
    assert wallet_cli("sign", draft["id"], "--holder", "B")[0] == 0
    code, doc = wallet_cli("export", draft["id"], "--out", str(out), "--qr")
    assert code == 0
    assert any(f.endswith(".ur.txt") for f in doc["files"])
    assert not any(f.endswith(".tx.hex") for f in doc["files"])  # one signature: no final tx
    code, doc = wallet_cli("export", draft["id"], "--out", str(out))
    assert code == 2 and doc["error"]["code"] == "output_exists"
    assert json.loads(json.dumps(doc))


def test_show_gives_the_hash_words_to_read_aloud(wallet_cli: Cli, tmp_path: Path) -> None:
    path = psbt_file(tmp_path, registered(wallet_cli), "w.psbt", 100_000)
    draft = imported(wallet_cli, path)
    _, shown = wallet_cli("show", draft["id"])
    digest = hashlib.sha256(psbt_bytes(read_psbt(path.read_bytes(), "w.psbt"))).hexdigest()
    assert shown["payload_sha256"] == digest
    assert shown["hash_words"] == digest_words(bytes.fromhex(digest)) and len(
        shown["hash_words"]) == 8
    assert wallet_cli("sign", draft["id"], "--holder", "A")[0] == 0
    assert wallet_cli("show", draft["id"])[1]["hash_words"] == shown["hash_words"]


def test_one_holder_cannot_register_a_vault_key_or_a_safe(wallet_cli: Cli, tmp_path: Path) -> None:
    key = tmp_path / "vault.pub.pem"
    key.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    for holders in ("A", "A,A"):
        code, doc = wallet_cli("vault-key", "add", str(key), "--id", "vault-1",
                               "--holders", holders)
        assert code == 2 and doc["error"]["code"] in ("quorum_size", "holders_not_distinct")
        code, doc = wallet_cli("wallet", "set-safe", "0x" + "5a" * 20, "--holders", holders)
        assert code == 2 and doc["error"]["code"] in ("quorum_size", "holders_not_distinct")
    _, journal = wallet_cli("audit", "show")
    assert not [e for e in journal["entries"] if e["kind"] in ("vault_key_added",
                                                              "safe_registered")]
    assert wallet_cli("vault-key", "add", str(key), "--id", "vault-1", "--holders", "A,B")[0] == 0


def test_the_exit_code_of_mixed_refusals_does_not_depend_on_their_order(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    wallet = registered(wallet_cli)
    delayed = imported(wallet_cli, psbt_file(tmp_path, wallet, "big.psbt", 300_000_000,
                                            spend=400_000_000))["id"]
    done = imported(wallet_cli, psbt_file(tmp_path, wallet, "ok.psbt", 100_000,
                                         spends=[Spend((0, 3), 1_000_000)]))["id"]
    assert wallet_cli("sign", done, "--holder", "A")[0] == 0
    for order in ([delayed, done], [done, delayed]):
        code, doc = wallet_cli("sign", *order, "--holder", "A")
        assert code == 4  # delayed (4) outranks already signed (3)
        assert {r["code"] for r in doc["refused"]} == {"max_per_draft", "already_signed"}


def test_a_draft_named_twice_is_signed_once(wallet_cli: Cli, tmp_path: Path) -> None:
    draft = imported(wallet_cli, psbt_file(tmp_path, registered(wallet_cli), "w.psbt", 100_000))
    code, doc = wallet_cli("sign", draft["id"], draft["id"][:8], "--holder", "A")
    assert code == 0 and len(doc["signed"]) == 1 and doc["refused"] == []
    _, journal = wallet_cli("audit", "show", "--kind", "draft_signed")
    assert len(journal["entries"]) == 1


def test_a_conflicting_draft_is_refused_before_the_token_signs(
    wallet_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wallet = registered(wallet_cli)
    spends = [Spend((0, 4), 50_000_000)]
    one = imported(wallet_cli, psbt_file(tmp_path, wallet, "1.psbt", 100_000, spends=spends))
    two = imported(wallet_cli, psbt_file(tmp_path, wallet, "2.psbt", 200_000, spends=spends))
    assert wallet_cli("sign", one["id"], "--holder", "A")[0] == 0
    calls: list[bytes] = []
    original = TokenSession.sign_digest_later

    def counting(self, key_id, digest, expected=None):  # type: ignore[no-untyped-def]
        calls.append(key_id)
        return original(self, key_id, digest, expected)

    monkeypatch.setattr(TokenSession, "sign_digest_later", counting)
    code, refused = wallet_cli("sign", two["id"], "--holder", "A")
    assert code == 3 and refused["refused"][0]["code"] == "conflict"
    assert calls == []


def test_screen_leaves_signed_drafts_alone_and_goes_on_past_a_bad_id(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    wallet = registered(wallet_cli)
    signed = imported(wallet_cli, psbt_file(tmp_path, wallet, "s.psbt", 100_000))["id"]
    fresh = imported(wallet_cli, psbt_file(tmp_path, wallet, "f.psbt", 100_000,
                                           spends=[Spend((0, 2), 1_000_000)]))["id"]
    assert wallet_cli("sign", signed, "--holder", "A", "--holder", "B")[0] == 0
    _, before = wallet_cli("show", signed)
    verdicts = len(wallet_cli("audit", "show", "--kind", "verdict")[1]["entries"])
    code, doc = wallet_cli("screen", signed, "ffff", fresh)
    assert code == 3  # already_signed (3) outranks the unknown id (2)
    assert [d["id"] for d in doc["drafts"]] == [fresh]
    assert {r["id"]: r["code"] for r in doc["refused"]} == {
        signed: "already_signed", "ffff": "unknown_draft"}
    assert wallet_cli("show", signed)[1]["verdict"] == before["verdict"] == "approve"
    assert len(wallet_cli("audit", "show", "--kind", "verdict")[1]["entries"]) == verdicts + 1
