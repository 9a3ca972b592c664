"""Issue 15, items 1 and 2 (Safe): nonce discipline, abandon and cancel, on a real Safe.

The Safe (safe-eth-py bytecode, v1.4.1, in py-evm) executes nonces in order: a draft is
signed only at the next nonce; a quorum frees a signed nonce and supersedes the signed
transaction on chain with the cancellation at that nonce; the next nonce then signs and
executes. Drafts are written as the vault would send them (raw JSON fields).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from signer.chains.ethereum.safe_tx import SafeTx
from signer.usecases.appliance import Appliance
from tests.conftest import Cli
from tests.ethereum.safe_chain import SafeWallet
from tests.pipeline.test_safe_pipeline import _draft_file, safe_setup  # noqa: F401

PAYEE = "0x" + "ab" * 20
Setup = tuple[Cli, SafeWallet]


def _import(cli: Cli, tmp_path: Path, deployed: SafeWallet, nonce: int,
            value: str = "1000", to: str = PAYEE) -> dict[str, Any]:
    path = _draft_file(tmp_path, deployed, f"{nonce}-{value}-{to[-4:]}.json", to=to,
                       value=value, nonce=nonce)
    code, doc = cli("import", str(path))
    return dict(doc["drafts"][0], exit=code)


def _exported_signatures(cli: Cli, tmp_path: Path, draft: str) -> bytes:
    out = tmp_path / f"usb-{draft}"
    out.mkdir()
    code, doc = cli("export", draft, "--out", str(out))
    assert code == 0, doc
    exported = json.loads((out / f"{draft}.safe-signatures.json").read_text())
    return bytes.fromhex(exported["packed"][2:])


def _tx(deployed: SafeWallet, **fields: Any) -> SafeTx:
    return deployed.chain.draft(deployed.safes["1.4.1"], "1.4.1", **fields)


def test_a_cancelled_nonce_is_superseded_on_the_real_safe_and_the_next_nonce_executes(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    unwanted = _import(cli, tmp_path, deployed, 0, value=str(10**18))
    assert cli("sign", unwanted["id"], "--holder", "A", "--holder", "C")[0] == 0
    unwanted_signatures = _exported_signatures(cli, tmp_path, unwanted["id"])

    # The vault sending the cancellation shape itself gets nothing signed: only a quorum
    # makes a cancellation.
    vault_cancel = tmp_path / "vault-cancel.json"
    vault_cancel.write_text(json.dumps(_tx(deployed, to=safe.address, nonce=0).to_json()))
    code, doc = cli("import", str(vault_cancel))
    assert code == 3 and doc["drafts"][0]["verdict"] == "reject"

    code, error = cli("cancel", unwanted["id"], "--holders", "A", "--reason", "failed")
    assert (code, error["error"]["code"]) == (2, "quorum_size")
    code, cancel = cli("cancel", unwanted["id"], "--holders", "A,B",
                       "--reason", "signed transfer failed: supersede nonce 0")
    assert code == 0, cancel
    assert (cancel["nonce"], cancel["verdict"], cancel["cancels"]) == (0, "approve",
                                                                      unwanted["id"])
    assert cancel["id"] == doc["drafts"][0]["id"]  # the vault's copy became the quorum's
    assert "if executed on the Safe, this transaction still does" in cancel["abandoned"]["text"]
    assert "nonce 0 is released" in cancel["abandoned"]["text"]
    journaled = cli("audit", "show", "--kind", "cancellation_created")[1]["entries"][0]
    assert journaled["data"]["by"] == ["A", "B"] and journaled["data"]["cancels"] == (
        unwanted["id"])

    code, signed = cli("sign", cancel["id"], "--holder", "B", "--holder", "C")
    assert code == 0 and signed["signed"][-1]["complete"] is True, signed
    app = Appliance.open(cli.home)
    try:  # it moves nothing: not in the velocity ledger (the abandoned transfer still is)
        counted = {r[0] for r in app.conn.execute("SELECT draft_id FROM risk_signed")}
    finally:
        app.close()
    assert counted == {unwanted["id"]}
    chain.execute(safe, _tx(deployed, to=safe.address, nonce=0),
                  _exported_signatures(cli, tmp_path, cancel["id"]))
    assert safe.functions.nonce().call() == 1
    before = chain.balance(PAYEE)
    with pytest.raises(Exception):  # noqa: B017 -- the Safe refuses: its nonce is used
        chain.execute(safe, _tx(deployed, to=PAYEE, value=str(10**18), nonce=0),
                      unwanted_signatures)
    assert chain.balance(PAYEE) == before

    following = _import(cli, tmp_path, deployed, 1, value="5")
    assert following["verdict"] == "approve", following
    assert cli("sign", following["id"], "--holder", "A", "--holder", "B")[0] == 0
    chain.execute(safe, _tx(deployed, to=PAYEE, value="5", nonce=1),
                  _exported_signatures(cli, tmp_path, following["id"]))
    assert chain.balance(PAYEE) - before == 5
    assert cli("audit", "verify")[1]["ok"] is True


def test_an_abandoned_nonce_may_be_signed_again_by_a_replacement(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    first = _import(cli, tmp_path, deployed, 0, value="7")
    assert cli("sign", first["id"], "--holder", "A")[0] == 0
    replacement = _import(cli, tmp_path, deployed, 0, value="8")
    code, refused = cli("sign", replacement["id"], "--holder", "A")
    assert code == 3 and refused["refused"][0]["code"] == "conflict"
    assert cli("abandon", first["id"], "--holders", "B,C", "--reason", "wrong amount")[0] == 0
    assert cli("sign", replacement["id"], "--holder", "A", "--holder", "B")[0] == 0
    before = chain.balance(PAYEE)
    chain.execute(safe, _tx(deployed, to=PAYEE, value="8", nonce=0),
                  _exported_signatures(cli, tmp_path, replacement["id"]))
    assert chain.balance(PAYEE) - before == 8


def test_a_nonce_gap_is_refused_with_the_expected_nonce_and_consecutive_nonces_sign(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, deployed = safe_setup
    jump = _import(cli, tmp_path, deployed, 2)
    assert jump["exit"] == 3 and jump["verdict"] == "reject"
    gap = {r["code"]: r["message"] for r in jump["reasons"]}["nonce_gap"]
    assert "the next nonce for this Safe is 0" in gap
    code, refused = cli("sign", jump["id"], "--holder", "A")
    assert code == 3 and refused["refused"][0]["code"] == "nonce_gap"
    assert "is 0" in refused["refused"][0]["message"]
    assert cli("audit", "show", "--kind", "draft_signed")[1]["entries"] == []

    # The vault hands over 0 and 1 after it: not gaps at import (the run is filled), and
    # signed in one batch, in order, as is the jump once its turn has come.
    ordinary = [_import(cli, tmp_path, deployed, n) for n in (0, 1)]
    assert [d["verdict"] for d in ordinary] == ["approve", "approve"]
    code, signed = cli("sign", ordinary[0]["id"], ordinary[1]["id"], jump["id"],
                       "--holder", "A", "--holder", "C")
    assert code == 0, signed
    assert [s["id"] for s in signed["signed"] if s["complete"]] == [
        ordinary[0]["id"], ordinary[1]["id"], jump["id"]]
    far = _import(cli, tmp_path, deployed, 9)
    assert "the next nonce for this Safe is 3" in far["reasons"][0]["message"]


def test_a_quorum_records_that_the_chain_nonce_moved(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, deployed = safe_setup
    signed = _import(cli, tmp_path, deployed, 0)
    assert cli("sign", signed["id"], "--holder", "A")[0] == 0
    code, error = cli("wallet", "safe-nonce", "5", "--holders", "A", "--reason", "moved")
    assert (code, error["error"]["code"]) == (2, "quorum_size")
    code, error = cli("wallet", "safe-nonce", "0", "--holders", "A,B", "--reason", "moved")
    assert (code, error["error"]["code"]) == (3, "nonce_below_signed")
    code, error = cli("wallet", "safe-nonce", "-1", "--holders", "A,B", "--reason", "moved")
    assert (code, error["error"]["code"]) == (2, "bad_nonce")
    code, doc = cli("wallet", "safe-nonce", "5", "--holders", "A,B",
                    "--reason", "cancellations executed from the web interface")
    assert code == 0 and (doc["nonce"], doc["previous"], doc["expected"]) == (5, 0, 5)
    entry = cli("audit", "show", "--kind", "safe_nonce_recorded")[1]["entries"][0]
    assert (entry["actor"], entry["data"]["nonce"], entry["data"]["reason"]) == (
        "A,B", 5, "cancellations executed from the web interface")

    stale = _import(cli, tmp_path, deployed, 3)
    assert "stale_nonce" in [r["code"] for r in stale["reasons"]]
    ahead = _import(cli, tmp_path, deployed, 6)
    assert "the next nonce for this Safe is 5" in ahead["reasons"][0]["message"]
    fresh = _import(cli, tmp_path, deployed, 5)
    assert fresh["verdict"] == "approve", fresh
    assert cli("sign", fresh["id"], ahead["id"], "--holder", "B")[0] == 0


def test_set_safe_takes_the_chains_nonce(safe_setup: Setup, tmp_path: Path) -> None:  # noqa: F811
    cli, deployed = safe_setup
    safe = deployed.safes["1.4.1"].address
    code, doc = cli("wallet", "set-safe", safe, "--holders", "A,C", "--nonce", "12")
    assert code == 0 and doc == {"safe": safe, "nonce": 12}
    assert _import(cli, tmp_path, deployed, 11)["reasons"][0]["code"] == "stale_nonce"
    assert _import(cli, tmp_path, deployed, 12)["verdict"] == "approve"
    code, error = cli("wallet", "set-safe", safe, "--holders", "A,C", "--nonce", "x")
    assert (code, error["error"]["code"]) == (2, "bad_nonce")


def test_a_cancellation_that_could_not_be_signed_changes_nothing(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, deployed = safe_setup
    signed = _import(cli, tmp_path, deployed, 0, value="3")
    unsigned = _import(cli, tmp_path, deployed, 0, value="4")
    assert cli("sign", signed["id"], "--holder", "A")[0] == 0
    code, error = cli("cancel", unsigned["id"], "--holders", "A,B", "--reason", "dup")
    assert (code, error["error"]["code"]) == (3, "conflict")
    assert f"held by signed draft {signed['id']}" in error["error"]["message"]
    # The chain executed nonce 0 elsewhere: there is nothing left to supersede.
    assert cli("wallet", "safe-nonce", "1", "--holders", "B,C", "--reason", "executed")[0] == 0
    code, error = cli("cancel", signed["id"], "--holders", "A,B", "--reason", "late")
    assert (code, error["error"]["code"]) == (3, "stale_nonce")
    assert "nothing changed" in error["error"]["message"]
    states = {d["id"]: d["state"] for d in cli("drafts", "--all")[1]["drafts"]}
    assert (states[signed["id"]], states[unsigned["id"]]) == ("partially_signed", "approved")
    assert cli("audit", "show", "--kind", "draft_abandoned")[1]["entries"] == []
    assert cli("audit", "show", "--kind", "cancellation_created")[1]["entries"] == []
