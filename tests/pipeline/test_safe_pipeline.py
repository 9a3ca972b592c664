"""Safe drafts through the CLI: HSM-signed, executed on a real Safe in py-evm."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak

from signer.usecases.appliance import Appliance
from signer.usecases.wallet import load_wallet
from tests.conftest import Cli
from tests.ethereum.safe_chain import SafeChain, SafeWallet, deploy_wallet


@pytest.fixture
def safe_setup(wallet_cli: Cli) -> tuple[Cli, SafeWallet]:
    app = Appliance.open(wallet_cli.home)
    owners = list(load_wallet(app).owners.values())
    app.close()
    chain = SafeChain()
    deployed = deploy_wallet(chain, owners, versions=("1.4.1",))
    safe = deployed.safes["1.4.1"].address
    code, doc = wallet_cli("wallet", "set-safe", safe, "--holders", "B,C")
    assert code == 0, doc
    return wallet_cli, deployed


def _draft_file(tmp_path: Path, deployed: SafeWallet, name: str, **fields: Any) -> Path:
    safe = deployed.safes["1.4.1"]
    tx = deployed.chain.draft(safe, "1.4.1", **fields)
    path = tmp_path / name
    path.write_text(json.dumps(tx.to_json()))
    return path


def test_an_eth_transfer_signed_by_two_holders_executes_on_the_safe(
    safe_setup: tuple[Cli, SafeWallet], tmp_path: Path
) -> None:
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    payee = "0x" + "ab" * 20
    path = _draft_file(tmp_path, deployed, "eth.json", to=payee, value=str(2 * 10**18))
    code, doc = cli("import", str(path))
    draft = doc["drafts"][0]
    assert (code, draft["verdict"], draft["asset"], draft["amount"]) == (0, "approve", "ETH", "2")
    assert cli("sign", draft["id"], "--holder", "A")[0] == 0
    out = tmp_path / "one-signature"
    out.mkdir()
    code, refused = cli("export", draft["id"], "--out", str(out))
    assert code == 3 and refused["refused"][0]["code"] == "not_fully_signed"
    assert cli("sign", draft["id"], "--holder", "C")[0] == 0
    out = tmp_path / "usb"
    out.mkdir()
    assert cli("export", draft["id"], "--out", str(out))[0] == 0
    exported = json.loads((out / f"{draft['id']}.safe-signatures.json").read_text())
    tx = chain.draft(safe, "1.4.1", to=payee, value=str(2 * 10**18))
    assert exported["safeTxHash"] == "0x" + chain.contract_hash(safe, tx).hex()
    before = chain.balance(payee)
    chain.execute(safe, tx, bytes.fromhex(exported["packed"][2:]))
    assert chain.balance(payee) - before == 2 * 10**18


def test_the_2025_delegatecall_shape_is_rejected_before_any_signature(
    safe_setup: tuple[Cli, SafeWallet], tmp_path: Path
) -> None:
    cli, deployed = safe_setup
    attacker = "0x" + "66" * 20
    data = "0x" + (keccak(text="transfer(address,uint256)")[:4]
                   + encode(["address", "uint256"], [attacker, 0])).hex()
    path = _draft_file(tmp_path, deployed, "evil.json", to="0x" + "77" * 20, data=data,
                       operation=1)
    code, doc = cli("import", str(path))
    draft = doc["drafts"][0]
    assert code == 3 and draft["verdict"] == "reject"
    assert "delegatecall" in [r["code"] for r in draft["reasons"]]
    code, refused = cli("sign", draft["id"], "--holder", "A")
    assert code == 3 and refused["refused"][0]["code"] == "delegatecall"
    assert cli("audit", "show", "--kind", "draft_signed")[1]["entries"] == []


def test_a_claimed_hash_that_differs_is_rejected(
    safe_setup: tuple[Cli, SafeWallet], tmp_path: Path
) -> None:
    cli, deployed = safe_setup
    path = _draft_file(tmp_path, deployed, "lie.json", to="0x" + "ab" * 20, value="1",
                       safeTxHash="0x" + "00" * 32)
    code, doc = cli("import", str(path))
    assert code == 3
    assert "hash_mismatch" in [r["code"] for r in doc["drafts"][0]["reasons"]]


def test_the_same_nonce_cannot_be_signed_for_two_drafts(
    safe_setup: tuple[Cli, SafeWallet], tmp_path: Path
) -> None:
    cli, deployed = safe_setup
    one = cli("import", str(_draft_file(tmp_path, deployed, "1.json", to="0x" + "ab" * 20,
                                        value="1")))[1]["drafts"][0]
    two = cli("import", str(_draft_file(tmp_path, deployed, "2.json", to="0x" + "cd" * 20,
                                        value="1")))[1]["drafts"][0]
    assert cli("sign", one["id"], "--holder", "A")[0] == 0
    code, refused = cli("sign", two["id"], "--holder", "B")
    assert code == 3 and refused["refused"][0]["code"] == "conflict"


def test_a_second_holder_may_sign_an_earlier_nonce_after_later_ones(
    safe_setup: tuple[Cli, SafeWallet], tmp_path: Path
) -> None:
    """Holder A signs nonces 0 and 1; holder B then signs nonce 0: not a stale replay."""
    cli, deployed = safe_setup
    safe = deployed.safes["1.4.1"]
    ids = []
    for nonce in (0, 1):
        path = _draft_file(tmp_path, deployed, f"{nonce}.json", to="0x" + "ab" * 20,
                           value="1", nonce=nonce)
        ids.append(cli("import", str(path))[1]["drafts"][0]["id"])
    assert cli("sign", *ids, "--holder", "A")[0] == 0
    code, doc = cli("sign", ids[0], "--holder", "B")
    assert code == 0 and doc["signed"][0]["complete"] is True
    stale = _draft_file(tmp_path, deployed, "stale.json", to="0x" + "cd" * 20, value="1",
                        nonce=0)
    code, doc = cli("import", str(stale))
    assert code == 3
    assert {"stale_nonce"} <= {r["code"] for r in doc["drafts"][0]["reasons"]}
    assert safe.address == cli("wallet", "show")[1]["ethereum"]["safe"]


def test_two_holders_at_one_session_sign_a_safe_transfer_that_executes(
    safe_setup: tuple[Cli, SafeWallet], tmp_path: Path
) -> None:
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    payee = "0x" + "cd" * 20
    path = _draft_file(tmp_path, deployed, "eth.json", to=payee, value=str(10**18))
    draft = cli("import", str(path))[1]["drafts"][0]["id"]
    code, doc = cli("sign", draft, "--holder", "C", "--holder", "B")
    assert code == 0 and [(s["holder"], s["complete"]) for s in doc["signed"]] == [
        ("C", False), ("B", True)]
    out = tmp_path / "usb"
    out.mkdir()
    assert cli("export", draft, "--out", str(out))[0] == 0
    exported = json.loads((out / f"{draft}.safe-signatures.json").read_text())
    before = chain.balance(payee)
    chain.execute(safe, chain.draft(safe, "1.4.1", to=payee, value=str(10**18)),
                  bytes.fromhex(exported["packed"][2:]))
    assert chain.balance(payee) - before == 10**18


def test_in_one_batch_a_lower_nonce_after_a_signed_one_is_stale_wherever_it_is_named(
    safe_setup: tuple[Cli, SafeWallet], tmp_path: Path
) -> None:
    """A batch signs as one run after another would: consecutive nonces in the order named
    sign, a nonce named before its predecessor leaves a gap (nonce_gap, issue 15); once
    nonce 2 is signed, nonces 0 and 1 of other drafts are stale wherever they are named
    (never depending on whether a draft was still at the tokens when it was checked)."""
    cli, deployed = safe_setup
    ids = {nonce: cli("import", str(_draft_file(
        tmp_path, deployed, f"{nonce}.json", to="0x" + "ab" * 20, value=str(nonce + 1),
        nonce=nonce)))[1]["drafts"][0]["id"] for nonce in (0, 1, 2, 3)}
    code, doc = cli("sign", ids[0], ids[1], ids[3], ids[2], "--holder", "A")
    assert [s["id"] for s in doc["signed"]] == [ids[0], ids[1], ids[2]]
    assert [(r["id"], r["code"]) for r in doc["refused"]] == [(ids[3], "nonce_gap")]
    assert code == 3
    again = {nonce: cli("import", str(_draft_file(
        tmp_path, deployed, f"again-{nonce}.json", to="0x" + "cd" * 20, value="7",
        nonce=nonce)))[1]["drafts"][0]["id"] for nonce in (0, 1)}
    code, doc = cli("sign", again[0], ids[3], again[1], "--holder", "A")
    assert [s["id"] for s in doc["signed"]] == [ids[3]]
    assert [(r["id"], r["code"]) for r in doc["refused"]] == [
        (again[0], "stale_nonce"), (again[1], "stale_nonce")]
    assert code == 3
