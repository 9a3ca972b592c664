"""A third kind of draft, registered by a test, goes through import, screening, signing
by two holders' real SoftHSM tokens and export without a line changed outside its folder
(tests/chains/toy). Its signatures are checked with coincurve, not airsign."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from signer.chains import kinds
from tests.chains.toy.kind import KIND, verified_note
from tests.conftest import Cli
from tests.pipeline.conftest import DATA

TOY_ASSET = """
[assets.TOY]
chain = "toy"
max_per_draft = "100"
windows = [ { period = "24h", max_total = "150", max_count = 10 } ]
"""


@pytest.fixture
def toy_cli(cli: Cli, pins: str, tmp_path: Path) -> Iterator[Cli]:
    kinds.register(KIND)
    try:
        shares, exports = tmp_path / "shares", tmp_path / "exports"
        shares.mkdir()
        exports.mkdir()
        code, doc = cli("ceremony", "run", str(DATA / "ceremony.toml"), "--shares-dir",
                        str(shares), "--export-dir", str(exports))
        assert code == 0, doc
        policy = tmp_path / "policy.toml"
        policy.write_text((DATA / "policy.toml").read_text() + TOY_ASSET)
        code, doc = cli("policy", "apply", str(policy), "--holders", "A,B")
        assert code == 0, doc
        yield cli
    finally:
        kinds.unregister(KIND.name)


def _draft(tmp_path: Path, name: str, pay: str, to: str) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({
        "format": "airsign-draft/1", "id": name, "created_at": "2026-12-01T10:00:00Z",
        "chain": "toy", "network": "toynet",
        "request": {"asset": "TOY", "amount": pay, "destination": to, "reference": name},
        "payload": {"note": {"pay": pay, "to": to}}}))
    return path


def test_a_toy_draft_is_imported_screened_signed_and_exported(
    toy_cli: Cli, tmp_path: Path
) -> None:
    code, doc = toy_cli("import", str(_draft(tmp_path, "T-1", "12.5", "toy1payee0001")))
    assert code == 0, doc
    [draft] = doc["drafts"]
    assert (draft["chain"], draft["asset"], draft["amount"]) == ("toy", "TOY", "12.5")
    assert draft["verdict"] == "approve"
    code, shown = toy_cli("show", draft["id"])
    assert code == 0 and "toy1payee0001" in json.dumps(shown)
    code, doc = toy_cli("sign", draft["id"], "--holder", "A", "--holder", "B")
    assert code == 0, doc
    assert [(s["holder"], s["complete"]) for s in doc["signed"]] == [("A", False), ("B", True)]
    out = tmp_path / "usb"
    out.mkdir()
    code, doc = toy_cli("export", draft["id"], "--out", str(out))
    assert code == 0, doc
    exported = json.loads((out / f"{draft['id']}.toy.json").read_text())
    assert verified_note(exported) == ["A", "B"]
    assert exported["note"] == {"pay": "12.5", "to": "toy1payee0001"}


def test_the_risk_rules_judge_a_toy_draft_like_any_other(toy_cli: Cli, tmp_path: Path) -> None:
    """Above the per-draft limit: held by the policy (a delay), never signed; the toy's own
    structural finding rejects; an ordinary one still signs."""
    code, doc = toy_cli("import", str(_draft(tmp_path, "T-2", "500", "toy1payee0002")))
    [big] = doc["drafts"]
    assert big["verdict"] == "delay"
    assert [r["code"] for r in big["reasons"]] == ["max_per_draft", "window_exceeded"]
    code, doc = toy_cli("sign", big["id"], "--holder", "A", "--holder", "B")
    assert code != 0 and doc["signed"] == []
    [odd] = toy_cli("import", str(_draft(tmp_path, "T-3", "5", "TOY1-not-an-address")))[1][
        "drafts"]
    assert odd["verdict"] == "reject"
    assert [r["code"] for r in odd["reasons"]] == ["bad_toy_address", "invalid_destination"]
    [ordinary] = toy_cli("import", str(_draft(tmp_path, "T-4", "7", "toy1payee0004")))[1][
        "drafts"]
    code, doc = toy_cli("sign", ordinary["id"], "--holder", "B", "--holder", "C")
    assert code == 0 and doc["signed"][-1]["complete"]
