"""Issue 15's acceptance scenario: a hostile vault's day, in one USB stick.

One home: the ceremony, the pipeline's policy (the shipped example's circuit breaker,
5 flagged drafts an hour), a Safe 1.4.1 registered on py-evm, SoftHSM tokens. In the
morning the vault hands over an ordinary Bitcoin withdrawal and holder A signs it. Then
one `airsign import` of one directory, as a vault drops it on a stick, mixes every class
of attack with ordinary withdrawals. Every draft is the vault's own: embit from the
wallet's xpubs (tests/bitcoin/vault.py), raw Safe JSON fields, cbor2 fountain parts.

Each attack is refused with its code, none is signed, the stored draft under attack is
untouched byte for byte, and the breaker stays closed (4 flagged drafts, not more than
5): the ordinary withdrawals, imported beside the attacks, are approved, signed by two
holders on SoftHSM tokens, exported, verified by python-bitcointx or executed on the real
Safe, and the journal verifies. The whole day runs under a minute.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from embit import ec

from signer.usecases.appliance import Appliance
from signer.usecases.wallet import load_wallet
from tests.bitcoin.vault import Out, Spend, Vault, p2wpkh, write
from tests.conftest import Cli
from tests.ethereum.safe_chain import SafeChain, SafeWallet, deploy_wallet
from tests.pipeline.conftest import DATA, registered, verify_final
from tests.pipeline.test_import_bounded import forged_parts
from tests.pipeline.test_reimport_verified import _holder_key, _snapshot, _stored_psbt

COIN, PAY, FEE = 50_000_000, 1_000_000, 10_000
POOL = 5  # keys per branch in tests/pipeline/data/ceremony.toml
ZERO = "0x" + "00" * 20
PAYEES = ("0x" + "ab" * 20, "0x" + "cd" * 20)


def _home(cli: Cli, tmp_path: Path) -> SafeWallet:
    """Ceremony, policy and the Safe registered at the chain's nonce 0."""
    shares, exports = tmp_path / "shares", tmp_path / "exports"
    shares.mkdir()
    exports.mkdir()
    code, doc = cli("ceremony", "run", str(DATA / "ceremony.toml"), "--shares-dir", str(shares),
                    "--export-dir", str(exports))
    assert code == 0, doc
    assert cli("policy", "apply", str(DATA / "policy.toml"), "--holders", "A,B")[0] == 0
    app = Appliance.open(cli.home)
    owners = list(load_wallet(app).owners.values())
    app.close()
    deployed = deploy_wallet(SafeChain(), owners, versions=("1.4.1",))
    code, doc = cli("wallet", "set-safe", deployed.safes["1.4.1"].address, "--holders", "B,C")
    assert code == 0, doc
    return deployed


def _bitcoin(vault: Vault, salt: int, *, change: tuple[int, int] = (1, 0),
             locktime: int = 0) -> Any:
    """A withdrawal the vault writes with embit: one wallet coin, a payee, change."""
    rest = COIN - PAY - FEE
    return vault.psbt([Spend(0, salt % POOL, COIN)],
                      [Out(p2wpkh(f"customer {salt}"), PAY), vault.change(*change, rest)],
                      salt=salt, locktime=locktime)


def _safe(deployed: SafeWallet, nonce: int, to: str, **fields: str) -> dict[str, Any]:
    """The Safe transaction JSON as the vault writes it (raw fields)."""
    draft = {
        "safe": deployed.safes["1.4.1"].address, "chainId": deployed.chain.chain_id,
        "safeVersion": "1.4.1", "to": to, "value": str(10**18), "data": "0x",
        "operation": 0, "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": ZERO, "refundReceiver": ZERO, "nonce": nonce,
    }  # fmt: skip
    draft.update(fields)
    return draft


def _junk_reimport(cli: Cli, draft_id: str) -> Any:
    """The stored draft as A signed it, with random bytes as B's partial signature."""
    hostile = _stored_psbt(cli, draft_id)
    target = ec.PublicKey.parse(_holder_key(hostile, 0))
    hostile.inputs[0].partial_sigs[target] = os.urandom(70) + b"\x01"
    return hostile


def _signed_drafts(cli: Cli) -> set[str]:
    _, journal = cli("audit", "show", "--kind", "draft_signed")
    return {e["data"]["draft"] for e in journal["entries"]}


def _flagged(cli: Cli) -> set[str]:
    conn = sqlite3.connect(cli.home / "state.db")
    try:
        return {row[0] for row in conn.execute("SELECT draft_id FROM risk_flagged")}
    finally:
        conn.close()


def test_a_hostile_vault_day(cli: Cli, pins: str, tmp_path: Path) -> None:
    started = time.perf_counter()
    deployed = _home(cli, tmp_path)
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    vault = Vault(registered(cli))

    # Morning: an ordinary withdrawal, signed by A; B is to sign it after the batch.
    morning = write(_bitcoin(vault, 1), tmp_path / "morning.psbt")
    code, doc = cli("import", str(morning))
    assert code == 0 and doc["drafts"][0]["verdict"] == "approve", doc
    known = doc["drafts"][0]["id"]
    assert cli("sign", known, "--holder", "A")[0] == 0
    before = _snapshot(cli, known)

    # The stick: attacks and ordinary withdrawals, read in name order.
    usb = tmp_path / "usb"
    usb.mkdir()
    attacks = {  # file: the reason code its draft is rejected with (exit 3)
        "a1-safe-nonce-jump.json": ("nonce_gap", _safe(deployed, 7, PAYEES[0])),
        "a2-safe-gas-beyond-a-block.json": ("safe_tx_gas_limit", _safe(
            deployed, 0, PAYEES[0], safeTxGas="30000001")),
        "a3-far-future-timelock.psbt": ("time_locktime", _bitcoin(vault, 3,
                                                                 locktime=1_900_000_000)),
        "a4-change-beyond-pool.psbt": ("change_beyond_pool", _bitcoin(vault, 4,
                                                                      change=(1, POOL))),
    }
    for name, (_, draft) in attacks.items():
        if name.endswith(".json"):
            (usb / name).write_text(json.dumps(draft))
        else:
            write(draft, usb / name)
    write(_junk_reimport(cli, known), usb / "a5-known-draft-junk-signature.psbt")
    (usb / "a6-forged-ur-flood.ur.txt").write_text("\n".join(forged_parts(10_000)))
    ordinary = {
        "w1-bitcoin.psbt": _bitcoin(vault, 11),
        "w2-bitcoin.psbt": _bitcoin(vault, 12, change=(1, POOL - 1)),
        "w3-safe-nonce-0.json": _safe(deployed, 0, PAYEES[0]),
        "w4-safe-nonce-1.json": _safe(deployed, 1, PAYEES[1], value=str(5 * 10**17)),
    }
    for name, draft in ordinary.items():
        if name.endswith(".json"):
            (usb / name).write_text(json.dumps(draft))
        else:
            write(draft, usb / name)

    code, batch = cli("import", str(usb))
    # The contract: 2 when any file was refused unread (the flood), else 3 for rejections.
    assert code == 2, batch
    by_file = {Path(d["source"]).name: d for d in batch["drafts"]}
    assert set(by_file) == set(attacks) | set(ordinary), sorted(by_file)
    for name, (reason, _) in attacks.items():
        draft = by_file[name]
        assert draft["verdict"] == "reject", (name, draft)
        assert reason in [r["code"] for r in draft["reasons"]], (name, draft["reasons"])
        refused_code, refused = cli("sign", draft["id"], "--holder", "A")
        assert refused_code == 3 and refused["signed"] == [], (name, refused)
        assert refused["refused"][0]["code"] in [r["code"] for r in draft["reasons"]]
    gap = next(r for r in by_file["a1-safe-nonce-jump.json"]["reasons"]
               if r["code"] == "nonce_gap")
    assert "the next nonce for this Safe is 0" in gap["message"], gap  # the expected one
    refused = {(Path(r["file"].split(",")[0].split(":")[0]).name, r["code"])
               for r in batch["refused"]}
    assert ("a5-known-draft-junk-signature.psbt", "signature_invalid") in refused, refused
    assert ("a6-forged-ur-flood.ur.txt", "ur_too_costly") in refused, refused
    # The flood is refused once per budget (and once as incomplete), never part by part.
    flood = [r for r in batch["refused"] if "a6-forged-ur-flood" in r["file"]]
    assert len(flood) <= 3 and len(batch["refused"]) == len(flood) + 1, batch["refused"]
    assert {code for _, code in refused} <= {"signature_invalid", "ur_too_costly",
                                             "ur_too_many_parts", "ur_incomplete"}, refused
    junk = next(r for r in batch["refused"] if r["code"] == "signature_invalid")
    assert "input 0" in junk["message"] and "nothing was merged" in junk["message"], junk
    costly = next(r for r in flood if r["code"] == "ur_too_costly")
    assert "1000000 steps" in costly["message"], costly
    assert _snapshot(cli, known) == before  # nothing merged into the stored draft
    for name in ordinary:
        assert by_file[name]["verdict"] == "approve", (name, by_file[name]["reasons"])

    # Four flagged drafts, not more than max_flagged (5): the breaker stays closed.
    assert _flagged(cli) == {by_file[name]["id"] for name in attacks}
    assert cli("breaker", "show")[1]["open"] is False

    # Afternoon: B completes the morning's draft; two holders sign every ordinary one.
    bitcoin_ids = [known] + [by_file[n]["id"] for n in ordinary if n.endswith(".psbt")]
    safe_ids = [by_file[n]["id"] for n in ordinary if n.endswith(".json")]
    code, doc = cli("sign", known, "--holder", "B")
    assert code == 0 and doc["signed"][0]["complete"] is True, doc
    code, doc = cli("sign", *bitcoin_ids[1:], *safe_ids, "--holder", "A", "--holder", "C")
    assert code == 0 and doc["refused"] == [], doc
    assert all(s["complete"] for s in doc["signed"] if s["holder"] == "C"), doc
    out = tmp_path / "usb-out"
    out.mkdir()
    code, doc = cli("export", *bitcoin_ids, *safe_ids, "--out", str(out))
    assert code == 0, doc
    for ident in bitcoin_ids:
        verify_final((out / f"{ident}.tx.hex").read_text().strip(), out / f"{ident}.psbt")
    paid = {payee: chain.balance(payee) for payee in PAYEES}
    for name, ident in zip([n for n in ordinary if n.endswith(".json")], safe_ids, strict=True):
        fields = {k: v for k, v in ordinary[name].items() if k != "safe"}
        exported = json.loads((out / f"{ident}.safe-signatures.json").read_text())
        chain.execute(safe, chain.draft(safe, "1.4.1", **fields),
                      bytes.fromhex(exported["packed"][2:]))
    assert chain.balance(PAYEES[0]) - paid[PAYEES[0]] == 10**18
    assert chain.balance(PAYEES[1]) - paid[PAYEES[1]] == 5 * 10**17
    assert safe.functions.nonce().call() == 2

    # Nothing of the attacks was signed; the journal verifies from the checkpoint and
    # from seq 1.
    assert _signed_drafts(cli) == set(bitcoin_ids) | set(safe_ids)
    assert cli("audit", "verify")[1]["ok"] is True
    assert cli("audit", "verify", "--full")[1]["ok"] is True
    elapsed = time.perf_counter() - started
    assert elapsed < 60, elapsed
