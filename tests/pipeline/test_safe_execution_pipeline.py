"""Unexecutable Safe drafts from a hostile vault are refused at import (exit 3, own code);
ordinary drafts after them are still approved, signed by SoftHSM holders, and execute."""

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
from tests.pipeline.conftest import DATA

ZERO = "0x" + "00" * 20
PAYEE = "0x" + "ab" * 20
RELAYER = "0x" + "66" * 20


@pytest.fixture
def safe_setup(wallet_cli: Cli) -> tuple[Cli, SafeWallet]:
    app = Appliance.open(wallet_cli.home)
    owners = list(load_wallet(app).owners.values())
    app.close()
    deployed = deploy_wallet(SafeChain(), owners, versions=("1.4.1",))
    code, doc = wallet_cli("wallet", "set-safe", deployed.safes["1.4.1"].address,
                           "--holders", "B,C")  # fmt: skip
    assert code == 0, doc
    return wallet_cli, deployed


def vault_draft(deployed: SafeWallet, **fields: Any) -> dict[str, Any]:
    """The Safe transaction JSON as a vault writes it (raw fields, not our builders)."""
    draft = {
        "safe": deployed.safes["1.4.1"].address, "chainId": deployed.chain.chain_id,
        "safeVersion": "1.4.1", "to": PAYEE, "value": str(10**18), "data": "0x",
        "operation": 0, "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": ZERO, "refundReceiver": ZERO, "nonce": 0,
    }  # fmt: skip
    draft.update(fields)
    return draft


def imported(cli: Cli, tmp_path: Path, name: str, draft: dict[str, Any]) -> tuple[int, Any]:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(draft))
    code, doc = cli("import", str(path))
    return code, doc["drafts"][0]


def sign_export_execute(
    cli: Cli, deployed: SafeWallet, tmp_path: Path, draft_id: str, draft: dict[str, Any]
) -> Any:
    """Two holders sign with their SoftHSM tokens; the export executes on the real Safe."""
    code, doc = cli("sign", draft_id, "--holder", "A", "--holder", "C")
    assert code == 0 and doc["signed"][-1]["complete"] is True, doc
    out = tmp_path / f"usb-{draft_id}"
    out.mkdir()
    assert cli("export", draft_id, "--out", str(out))[0] == 0
    exported = json.loads((out / f"{draft_id}.safe-signatures.json").read_text())
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    tx = chain.draft(safe, "1.4.1", **{k: v for k, v in draft.items() if k not in ("safe",)})
    return chain.execute(safe, tx, bytes.fromhex(exported["packed"][2:]))


# Four per run: more than max_flagged (5) flagged drafts within an hour trips the policy's
# circuit breaker, which two holders reset (a separate, deliberate halt).
SHAPES = {
    "gas": {
        "safe_tx_gas_limit": {"safeTxGas": "30000001"},
        "safe_tx_gas": {"safeTxGas": "100000"},
        "base_gas_limit": {"baseGas": "30000001"},
        "refund_params": {"gasPrice": "1", "safeTxGas": "100000"},
    },
    "refund and self": {
        "refund_params": {"gasToken": RELAYER},
        "refund_params ": {"refundReceiver": RELAYER, "baseGas": "1"},
        "self_transfer": {"to": "SAFE"},
        "self_transfer ": {"to": "SAFE", "value": "1", "data": "CHANGE_THRESHOLD"},
    },
}


@pytest.mark.parametrize("group", SHAPES)
def test_unexecutable_drafts_are_refused_and_an_ordinary_one_still_signs(
    safe_setup: tuple[Cli, SafeWallet], tmp_path: Path, group: str
) -> None:
    cli, deployed = safe_setup
    safe = deployed.safes["1.4.1"]
    selector = keccak(text="changeThreshold(uint256)")[:4]
    threshold = "0x" + (selector + encode(["uint256"], [1])).hex()
    named = {"SAFE": safe.address, "CHANGE_THRESHOLD": threshold}
    hostile = {
        shape: {k: named.get(v, v) for k, v in fields.items()}
        for shape, fields in SHAPES[group].items()
    }
    for shape, fields in hostile.items():
        code, draft = imported(cli, tmp_path, f"hostile-{len(shape)}-{shape.strip()}",
                               vault_draft(deployed, **fields))  # fmt: skip
        reasons = [r["code"] for r in draft["reasons"]]
        assert (code, draft["verdict"]) == (3, "reject"), (shape, draft)
        assert shape.strip() in reasons, (shape, reasons)
        code, refused = cli("sign", draft["id"], "--holder", "A")
        assert code == 3 and shape.strip() in [r["code"] for r in refused["refused"]]
    assert cli("audit", "show", "--kind", "draft_signed")[1]["entries"] == []

    ordinary = vault_draft(deployed)
    code, draft = imported(cli, tmp_path, "ordinary", ordinary)
    assert (code, draft["verdict"]) == (0, "approve"), draft
    before = deployed.chain.balance(PAYEE)
    sign_export_execute(cli, deployed, tmp_path, draft["id"], ordinary)
    assert deployed.chain.balance(PAYEE) - before == 10**18
    assert safe.functions.nonce().call() == 1


def test_refunds_allowed_by_the_policy_are_bounded(
    safe_setup: tuple[Cli, SafeWallet], tmp_path: Path
) -> None:
    cli, deployed = safe_setup
    policy = tmp_path / "refunds.toml"
    policy.write_text((DATA / "policy.toml").read_text()
                      + '\n[ethereum]\nallow_refunds = true\nmax_refund = "0.001"\n')
    code, doc = cli("policy", "apply", str(policy), "--holders", "A,B")
    assert code == 0, doc

    # (100,000 + 50,000 + 0) x 10 gwei = 0.0015 ETH could be paid: above 0.001.
    costly = vault_draft(deployed, safeTxGas="100000", gasPrice=str(10 * 10**9))
    code, draft = imported(cli, tmp_path, "costly", costly)
    assert code == 3 and "refund_too_high" in [r["code"] for r in draft["reasons"]]
    no_gas = vault_draft(deployed, gasPrice=str(10**9))
    code, draft = imported(cli, tmp_path, "no-gas", no_gas)
    assert code == 3 and "safe_tx_gas" in [r["code"] for r in draft["reasons"]]

    bounded = vault_draft(deployed, safeTxGas="50000", gasPrice=str(10**9))
    code, draft = imported(cli, tmp_path, "bounded", bounded)
    assert (code, draft["verdict"]) == (0, "approve"), draft
    safe = deployed.safes["1.4.1"]
    before = deployed.chain.balance(safe.address)
    sign_export_execute(cli, deployed, tmp_path, draft["id"], bounded)
    paid = before - deployed.chain.balance(safe.address) - 10**18
    assert 0 < paid <= 10**15
