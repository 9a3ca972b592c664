"""Issue 15, classes 2 and 6 (Safe), attacked as a hostile vault would: raw JSON nonces,
the next nonce on another Safe, chain or contract version, variants of a stored draft,
an abandoned draft sent again; and the quorum's own commands given hostile input. Each is
refused with its code and exit; an ordinary draft then signs and executes on the real
Safe (safe-eth-py v1.4.1 in py-evm).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.ethereum.safe_chain import SafeWallet
from tests.pipeline.test_safe_nonces import _exported_signatures, _import, _tx
from tests.pipeline.test_safe_pipeline import safe_setup  # noqa: F401

PAYEE = "0x" + "ab" * 20
Setup = tuple[Cli, SafeWallet]


def _raw(cli: Cli, tmp_path: Path, name: str, obj: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(obj))
    return cli("import", str(path))


def _executes_next(cli: Cli, tmp_path: Path, deployed: SafeWallet, nonce: int) -> None:
    """An ordinary withdrawal at ``nonce`` is approved, signed by two holders and executes."""
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    ordinary = _import(cli, tmp_path, deployed, nonce, value="9")
    assert ordinary["verdict"] == "approve", ordinary
    code, signed = cli("sign", ordinary["id"], "--holder", "A", "--holder", "B")
    assert code == 0 and signed["signed"][-1]["complete"] is True, signed
    before = chain.balance(PAYEE)
    chain.execute(safe, _tx(deployed, to=PAYEE, value="9", nonce=nonce),
                  _exported_signatures(cli, tmp_path, ordinary["id"]))
    assert chain.balance(PAYEE) - before == 9


def test_hostile_nonces_and_registrations_are_refused_and_the_next_nonce_still_signs(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, deployed = safe_setup
    base = _tx(deployed, to=PAYEE, value="5", nonce=0).to_json()
    unreadable = {"negative": -1, "fraction": 0.5, "huge": 2**256, "leading zero": "00",
                  "signed string": "+0", "boolean": False, "hex": "0x0", "null": None}
    for name, nonce in unreadable.items():
        code, doc = _raw(cli, tmp_path, name, {**base, "nonce": nonce})
        assert code == 2 and doc["refused"][0]["code"] in ("bad_input", "bad_json"), (name, doc)
        assert "nonce" in doc["refused"][0]["message"] or name == "fraction", (name, doc)
    refused = {"nonce_gap": {"nonce": 2**256 - 1},
               "wrong_safe": {"safe": "0x" + "12" * 20},
               "wrong_chain": {"chainId": deployed.chain.chain_id + 1},
               # 1.1.1 hashes without the chain id: another hash, another contract.
               "wrong_safe_version": {"safeVersion": "1.1.1"}}
    for expected, change in refused.items():
        code, doc = _raw(cli, tmp_path, expected, {**base, **change})
        draft = doc["drafts"][0]
        assert (code, draft["verdict"]) == (3, "reject"), (expected, doc)
        assert expected in [r["code"] for r in draft["reasons"]], (expected, draft)
        assert cli("sign", draft["id"], "--holder", "A")[0] == 3
    assert cli("audit", "show", "--kind", "draft_signed")[1]["entries"] == []
    _executes_next(cli, tmp_path, deployed, 0)


def test_variants_of_a_stored_safe_draft_conflict_and_an_abandoned_one_stays_abandoned(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    base = _tx(deployed, to=PAYEE, value="5", nonce=0).to_json()
    code, doc = _raw(cli, tmp_path, "original", base)
    stored = doc["drafts"][0]
    assert code == 0 and stored["verdict"] == "approve", doc
    # The same transaction written otherwise (JSON integer, lower-case address) is the same.
    code, doc = _raw(cli, tmp_path, "same", {**base, "value": 5, "to": PAYEE.lower()})
    assert code == 0 and doc["drafts"][0]["new"] is False, doc
    # 1.3.0 hashes as 1.4.1 does: a variant with the same id that reads differently.
    claimed = "0x" + chain.contract_hash(safe, _tx(deployed, to=PAYEE, value="5")).hex()
    for name, change in (("older version", {"safeVersion": "1.3.0"}),
                         ("hash claim", {"safeTxHash": claimed})):
        code, doc = _raw(cli, tmp_path, name, {**base, **change})
        assert (code, doc["refused"][0]["code"]) == (3, "payload_conflict"), (name, doc)
    assert cli("sign", stored["id"], "--holder", "A")[0] == 0
    code, error = cli("abandon", stored["id"], "--holders", "B,B", "--reason", "stuck")
    assert (code, error["error"]["code"]) == (2, "holders_not_distinct")
    assert cli("abandon", stored["id"], "--holders", "B,C", "--reason", "stuck")[0] == 0
    code, error = cli("abandon", stored["id"], "--holders", "A,C", "--reason", "again")
    assert (code, error["error"]["code"]) == (3, "already_abandoned")

    code, doc = _raw(cli, tmp_path, "sent again", base)
    assert doc["drafts"][0]["state"] == "abandoned", doc
    code, refused = cli("sign", stored["id"], "--holder", "B")
    assert (code, refused["refused"][0]["code"]) == (3, "abandoned")
    _executes_next(cli, tmp_path, deployed, 0)


@pytest.mark.parametrize("typed", ["+5", " 5", "1_0", "\u0665", "5.0", "0x5", "-0",
                                   str(2**63), str(2**256 - 1)])
def test_the_recorded_chain_nonce_is_plain_digits(
    safe_setup: Setup, typed: str  # noqa: F811
) -> None:
    """Typed by holders, but hostile input all the same: refused with exit 2, nothing
    recorded (a nonce past 2^63-1 was an internal error, exit 1)."""
    cli, deployed = safe_setup
    code, error = cli("wallet", "safe-nonce", typed, "--holders", "A,B", "--reason", "moved")
    assert (code, error["error"]["code"]) == (2, "bad_nonce"), error
    code, error = cli("wallet", "set-safe", deployed.safes["1.4.1"].address,
                      "--holders", "A,B", "--nonce", typed)
    assert (code, error["error"]["code"]) == (2, "bad_nonce"), error
    assert cli("audit", "show", "--kind", "safe_nonce_recorded")[1]["entries"] == []
    code, doc = cli("wallet", "safe-nonce", str(2**63 - 1), "--holders", "A,B",
                    "--reason", "the largest the appliance records")
    assert code == 0 and doc["nonce"] == 2**63 - 1, doc


def test_a_locked_out_holder_cannot_abandon_or_cancel_and_two_others_still_can(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, deployed = safe_setup
    signed = _import(cli, tmp_path, deployed, 0, value="5")
    assert cli("sign", signed["id"], "--holder", "A")[0] == 0
    (tmp_path / "wrong.pin").write_text("definitely-wrong\n")
    for _ in range(5):
        cli("--pin-file", str(tmp_path / "wrong.pin"), "tokens", "check", "C")
    for command in ("abandon", "cancel"):
        code, error = cli(command, signed["id"], "--holders", "A,C", "--reason", "stuck")
        assert (code, error["error"]["code"]) == (6, "holder_locked"), error
    assert cli("audit", "show", "--kind", "draft_abandoned")[1]["entries"] == []
    code, cancel = cli("cancel", signed["id"], "--holders", "A,B", "--reason", "stuck")
    assert code == 0 and cancel["verdict"] == "approve", cancel
