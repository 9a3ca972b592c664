"""Ceremony -> holder B's token lost -> B restored from shares into a new token -> A and the
restored B sign a Bitcoin PSBT (python-bitcointx verifies it) and a Safe transaction (a real
Safe in py-evm executes it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bitcointx.core import CTransaction
from bitcointx.core.script import CScript
from bitcointx.core.scripteval import SCRIPT_VERIFY_FLAGS_BY_NAME, VerifyScript
from eth_account import Account

from ceremony.derive import ETHEREUM_OWNER_PATH
from signer.chains.bitcoin.finalize import extract_transaction, finalize_psbt
from signer.chains.bitcoin.signing import sign_psbt
from signer.chains.ethereum.signing import SafeOwner, sign_safe_tx
from signer.hsm.token import TokenSession
from signer.usecases.appliance import Appliance
from signer.usecases.wallet import load_wallet
from softhsm.pytest_plugin import TEST_SO_PIN
from softhsm.tokens import TokenSet, create_token_set
from tests.bitcoin.builders import Spend, build_psbt, external_script
from tests.conftest import Cli
from tests.ethereum.safe_chain import SafeChain, deploy_wallet

VALID_CEREMONY = Path(__file__).parents[1] / "ceremony" / "data" / "valid-ceremony.toml"
FLAGS = {SCRIPT_VERIFY_FLAGS_BY_NAME[name] for name in (
    "P2SH", "WITNESS", "DERSIG", "STRICTENC", "LOW_S", "NULLDUMMY", "NULLFAIL", "CLEANSTACK",
    "WITNESS_PUBKEYTYPE")}  # fmt: skip
PAYEE = Account.from_key(b"\x33" * 32).address


def _slots(tokens: TokenSet) -> str:
    env = {**os.environ, "SOFTHSM2_CONF": str(tokens.conf)}
    return subprocess.run(["softhsm2-util", "--show-slots"], env=env, capture_output=True,
                          text=True, check=True).stdout


def _delete_token_directory(tokens: TokenSet, label: str) -> None:
    """What losing the token means to SoftHSM: its directory (one per token) is gone."""
    padded = label.encode().ljust(32)
    owned = [d for d in (tokens.directory / "tokens").iterdir()
             if padded in (d / "token.object").read_bytes()]
    assert len(owned) == 1
    shutil.rmtree(owned[0])
    assert f"Label:            {label} " not in _slots(tokens)


def _owner_key(session: TokenSession) -> bytes:
    return next(k.key_id for k in session.keys().values() if k.label == ETHEREUM_OWNER_PATH)


def _sign_bitcoin(app: Appliance, sessions: dict[str, TokenSession]) -> None:
    wallet = load_wallet(app).bitcoin
    spends = [Spend((0, 3), 1_500_000), Spend((1, 19), 700_000)]
    draft = build_psbt(wallet, spends, [(external_script("customer"), 1_000_000)],
                       ((1, 5), 1_199_000))
    for holder in ("A", "B"):
        draft = sign_psbt(draft, wallet, holder, sessions[holder].sign_digest)
    tx = CTransaction.deserialize(bytes.fromhex(extract_transaction(finalize_psbt(draft)).hex))
    for index, spend in enumerate(spends):
        VerifyScript(tx.vin[index].scriptSig, CScript(wallet.script_pubkey(*spend.branch)), tx,
                     index, flags=FLAGS, amount=spend.amount,
                     witness=tx.wit.vtxinwit[index].scriptWitness)


def _sign_safe(app: Appliance, sessions: dict[str, TokenSession]) -> None:
    wallet = load_wallet(app)
    chain = SafeChain()
    deployed = deploy_wallet(chain, [wallet.owners[h] for h in "ABC"], versions=("1.4.1",))
    safe = deployed.safes["1.4.1"]
    tx = chain.draft(safe, "1.4.1", to=PAYEE, value=str(2 * 10**18))
    signers = []
    for holder in ("A", "B"):
        session, key_id = sessions[holder], _owner_key(sessions[holder])
        signers.append(SafeOwner(holder, wallet.owners[holder],
                                 lambda digest, s=session, k=key_id: s.sign_digest(k, digest)))
    packed = bytes.fromhex(sign_safe_tx(tx, signers).to_json()["packed"][2:])
    chain.execute(safe, tx, packed)
    assert chain.balance(PAYEE) == 2 * 10**18
    assert safe.functions.nonce().call() == tx.nonce + 1


def test_lost_token_restored_from_shares_signs_bitcoin_and_safe(
    cli: Cli, pins: str, token_set: TokenSet, home_path: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, user_pin: str,
) -> None:
    monkeypatch.setenv("AIRSIGN_PASSPHRASE_C", "carol's custodians")
    shares, exports = tmp_path / "shares", tmp_path / "exports"
    shares.mkdir()
    exports.mkdir()
    code, ceremony = cli("ceremony", "run", str(VALID_CEREMONY), "--shares-dir", str(shares),
                         "--export-dir", str(exports))
    assert code == 0, ceremony

    _delete_token_directory(token_set, "holder-b")
    create_token_set(token_set.directory, ["holder-b-2"], TEST_SO_PIN, user_pin)
    # B: group threshold 2 of groups (2-of-3, 1-of-1): two of Uma/Vic/Wes plus Xia.
    used = [shares / "B-g1-1.txt", shares / "B-g1-3.txt", shares / "B-g2-1.txt"]
    code, restored = cli("recover", "B", "--shares", *map(str, used), "--token", "holder-b-2",
                         "--holders", "A")
    assert code == 0, restored
    assert restored["keys_imported"] == 41  # 20 receive + 20 change + the Ethereum owner
    b = next(h for h in ceremony["holders"] if h["id"] == "B")
    assert (restored["fingerprint"], restored["xpub"]) == (b["fingerprint"], b["xpub"])

    app = Appliance.open(home_path)
    try:
        assert app.token_label("B") == "holder-b-2"
        with app.gateway.holder("holder-a", user_pin) as a, \
                app.gateway.holder(app.token_label("B"), user_pin) as restored_b:
            _sign_bitcoin(app, {"A": a, "B": restored_b})
            _sign_safe(app, {"A": a, "B": restored_b})
        rows = app.conn.execute(
            "SELECT token, assigned_seq, retired_seq FROM holder_tokens WHERE holder = 'B' "
            "ORDER BY assigned_seq").fetchall()
        entry = app.conn.execute("SELECT seq, data FROM journal WHERE kind = 'holder_restored'"
                                 ).fetchone()
        journal_text = " ".join(r[0] for r in app.conn.execute("SELECT data FROM journal"))
    finally:
        app.close()
    assert [tuple(r) for r in rows] == [("holder-b", rows[0][1], entry[0]),
                                        ("holder-b-2", entry[0], None)]
    data = json.loads(entry[1])
    cards = [_card_header(p) for p in used]
    assert data["shares"] == cards
    assert (data["authorized_by"], data["previous_token"]) == (["A"], "holder-b")
    for path in used:  # the words never reach the journal
        words = [line.split(". ", 1)[1] for line in path.read_text().splitlines()
                 if line[:2].isdigit() and ". " in line]
        assert " ".join(words[:3]) not in journal_text
    code, verified = cli("audit", "verify")
    assert code == 0 and verified["ok"] is True and verified["checkpoints"] >= 1


def _card_header(path: Path) -> dict[str, int]:
    """Identifier, group and member index as printed on the card by the ceremony."""
    fields = dict(line.split(": ", 1) for line in path.read_text().splitlines()[1:9])
    return {"identifier": int(fields["share set identifier"]),
            "group": int(fields["group"].split()[0]), "index": int(fields["share"].split()[0])}
