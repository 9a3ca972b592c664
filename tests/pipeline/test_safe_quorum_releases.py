"""Issue 15, class 1 (Safe): every claim can be released by a quorum, attacked by a vault.

A hostile vault knows the cancellation's exact shape (a zero-value call from the Safe to
itself at the nonce), so it can send that draft first, in its own envelope, before the
holders ask for it. The holders' cancellation must still be signable and supersede the
signed transaction on the real Safe (safe-eth-py v1.4.1 in py-evm).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.conftest import Cli
from tests.ethereum.safe_chain import SafeWallet
from tests.intake.intake_samples import VAULT, envelope_bytes
from tests.pipeline.conftest import imported, psbt_file, registered
from tests.pipeline.test_safe_nonces import _exported_signatures, _import, _tx
from tests.pipeline.test_safe_pipeline import safe_setup  # noqa: F401

PAYEE = "0x" + "ab" * 20
Setup = tuple[Cli, SafeWallet]


def _vault_key(cli: Cli, tmp_path: Path) -> None:
    key = tmp_path / "vault.pem"
    key.write_bytes(VAULT.public_key().public_bytes(Encoding.PEM,
                                                     PublicFormat.SubjectPublicKeyInfo))
    assert cli("vault-key", "add", str(key), "--id", "vault-2026", "--holders", "A,B")[0] == 0


def _sealed(tmp_path: Path, name: str, safe_tx: dict[str, Any], chain_id: int,
            request: dict[str, str]) -> Path:
    """An airsign-draft/1 body in a vault envelope, written as the vault would (raw JSON)."""
    body = {"format": "airsign-draft/1", "id": f"WD-{name}", "created_at": "2026-12-02T10:00:00Z",
            "chain": "ethereum", "network": str(chain_id), "request": request,
            "payload": {"safe_tx": safe_tx}}
    path = tmp_path / f"{name}.json"
    path.write_bytes(envelope_bytes(json.dumps(body).encode()))
    return path


def test_a_cancellation_the_vault_sent_first_in_an_envelope_still_signs_and_supersedes(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    _vault_key(cli, tmp_path)
    unwanted = _import(cli, tmp_path, deployed, 0, value=str(10**18))
    assert cli("sign", unwanted["id"], "--holder", "A", "--holder", "C")[0] == 0

    # The vault plants the cancellation shape at nonce 0 under its own envelope.
    planted = _sealed(tmp_path, "planted", _tx(deployed, to=safe.address, nonce=0).to_json(),
                      chain.chain_id, {"asset": "ETH", "amount": "0",
                                       "destination": safe.address, "reference": "x"})
    code, doc = cli("import", str(planted))
    assert code == 3 and doc["drafts"][0]["verdict"] == "reject", doc

    code, cancel = cli("cancel", unwanted["id"], "--holders", "A,B", "--reason", "supersede")
    assert code == 0 and cancel["verdict"] == "approve", cancel
    code, signed = cli("sign", cancel["id"], "--holder", "B", "--holder", "C")
    assert code == 0 and signed["signed"][-1]["complete"] is True, signed
    chain.execute(safe, _tx(deployed, to=safe.address, nonce=0),
                  _exported_signatures(cli, tmp_path, cancel["id"]))
    assert safe.functions.nonce().call() == 1

    following = _import(cli, tmp_path, deployed, 1, value="5")
    assert following["verdict"] == "approve", following
    assert cli("sign", following["id"], "--holder", "A", "--holder", "B")[0] == 0
    before = chain.balance(PAYEE)
    chain.execute(safe, _tx(deployed, to=PAYEE, value="5", nonce=1),
                  _exported_signatures(cli, tmp_path, following["id"]))
    assert chain.balance(PAYEE) - before == 5
    assert cli("audit", "verify")[1]["ok"] is True


def test_a_cancellation_shaped_vault_draft_the_holders_abandoned_does_not_block_the_cancel(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    """Holders tidy up the vault's rejected cancellation-shaped draft (abandon it) before
    they need the cancellation at that nonce: the cancellation must still be made."""
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    planted = tmp_path / "planted.json"
    planted.write_text(json.dumps(_tx(deployed, to=safe.address, nonce=0).to_json()))
    code, doc = cli("import", str(planted))
    assert code == 3 and doc["drafts"][0]["verdict"] == "reject", doc
    assert cli("abandon", doc["drafts"][0]["id"], "--holders", "A,B",
               "--reason", "junk from the vault")[0] == 0
    unwanted = _import(cli, tmp_path, deployed, 0, value=str(10**18))
    assert cli("sign", unwanted["id"], "--holder", "A", "--holder", "C")[0] == 0

    code, cancel = cli("cancel", unwanted["id"], "--holders", "B,C", "--reason", "supersede")
    assert code == 0 and cancel["verdict"] == "approve", cancel
    code, signed = cli("sign", cancel["id"], "--holder", "B", "--holder", "C")
    assert code == 0 and signed["signed"][-1]["complete"] is True, signed
    chain.execute(safe, _tx(deployed, to=safe.address, nonce=0),
                  _exported_signatures(cli, tmp_path, cancel["id"]))
    assert safe.functions.nonce().call() == 1


def test_a_cancellation_the_holders_dropped_can_be_made_again_and_cancel_twice_is_refused(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    unwanted = _import(cli, tmp_path, deployed, 0, value=str(10**18))
    assert cli("sign", unwanted["id"], "--holder", "A", "--holder", "C")[0] == 0
    code, first = cli("cancel", unwanted["id"], "--holders", "A,B", "--reason", "supersede")
    assert code == 0, first
    code, again = cli("cancel", unwanted["id"], "--holders", "A,B", "--reason", "twice")
    assert (code, again["error"]["code"]) == (3, "already_cancelled")
    code, again = cli("cancel", first["id"], "--holders", "A,B", "--reason", "of itself")
    assert (code, again["error"]["code"]) == (3, "already_cancelled")
    # Holder A signs it, then the holders drop it by mistake: it is never signed as such...
    assert cli("sign", first["id"], "--holder", "A")[0] == 0
    assert cli("abandon", first["id"], "--holders", "B,C", "--reason", "mistake")[0] == 0
    code, refused = cli("sign", first["id"], "--holder", "B")
    assert (code, refused["refused"][0]["code"]) == (3, "abandoned")
    # ...but a quorum that makes the cancellation again gets it back, journaled.
    code, remade = cli("cancel", unwanted["id"], "--holders", "B,C", "--reason", "remake")
    assert code == 0 and remade["id"] == first["id"] and remade["verdict"] == "approve", remade
    entries = cli("audit", "show", "--kind", "cancellation_created")[1]["entries"]
    assert [e["data"]["restored"] for e in entries] == [False, True]
    code, signed = cli("sign", first["id"], "--holder", "B")
    assert code == 0 and signed["signed"][-1]["complete"] is True, signed
    chain.execute(safe, _tx(deployed, to=safe.address, nonce=0),
                  _exported_signatures(cli, tmp_path, first["id"]))
    assert safe.functions.nonce().call() == 1
    following = _import(cli, tmp_path, deployed, 1, value="5")
    assert following["verdict"] == "approve", following
    assert cli("audit", "verify")[1]["ok"] is True


def test_a_cancellation_the_vault_sent_first_under_another_version_is_the_quorums_shape(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    """Safe 1.3.0 hashes as 1.4.1 does: the vault's copy claiming 1.3.0 has the id of the
    quorum's cancellation but reads differently (wrong_safe_version). The quorum's
    cancellation replaces what is stored, signs and executes."""
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    planted = tmp_path / "planted.json"
    planted.write_text(json.dumps({**_tx(deployed, to=safe.address, nonce=0).to_json(),
                                   "safeVersion": "1.3.0"}))
    code, doc = cli("import", str(planted))
    assert "wrong_safe_version" in [r["code"] for r in doc["drafts"][0]["reasons"]], doc
    unwanted = _import(cli, tmp_path, deployed, 0, value=str(10**18))
    assert cli("sign", unwanted["id"], "--holder", "A", "--holder", "C")[0] == 0

    code, cancel = cli("cancel", unwanted["id"], "--holders", "A,B", "--reason", "supersede")
    assert code == 0 and cancel["id"] == doc["drafts"][0]["id"], cancel
    assert cli("show", cancel["id"])[1]["safe_tx"]["safeVersion"] == "1.4.1"
    code, signed = cli("sign", cancel["id"], "--holder", "B", "--holder", "C")
    assert code == 0 and signed["signed"][-1]["complete"] is True, signed
    chain.execute(safe, _tx(deployed, to=safe.address, nonce=0),
                  _exported_signatures(cli, tmp_path, cancel["id"]))
    assert safe.functions.nonce().call() == 1
    # The vault sending its variant again is a conflict; the cancellation is unchanged.
    code, doc = cli("import", str(planted))
    assert (code, doc["refused"][0]["code"]) == (3, "payload_conflict"), doc


def test_cancel_of_a_bitcoin_draft_is_refused_and_changes_nothing(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, _ = safe_setup
    draft = imported(cli, psbt_file(tmp_path, registered(cli), "w.psbt", 200_000))
    assert cli("sign", draft["id"], "--holder", "A")[0] == 0
    code, error = cli("cancel", draft["id"], "--holders", "A,B", "--reason", "stuck")
    assert (code, error["error"]["code"]) == (2, "not_a_safe_draft"), error
    assert "abandon it" in error["error"]["message"]
    assert cli("audit", "show", "--kind", "draft_abandoned")[1]["entries"] == []
    assert cli("abandon", draft["id"], "--holders", "A,B", "--reason", "stuck")[0] == 0
