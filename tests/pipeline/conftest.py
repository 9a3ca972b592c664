"""A home with a registered wallet (small key pools) and an applied policy."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import bitcointx
import pytest
from bitcointx.core import CTransaction
from bitcointx.core.script import CScript, CScriptWitness
from bitcointx.core.scripteval import SCRIPT_VERIFY_P2SH, SCRIPT_VERIFY_WITNESS, VerifyScript

from signer.chains.bitcoin.psbt_file import psbt_bytes, read_psbt
from signer.chains.bitcoin.wallet import MultisigWallet
from signer.usecases.appliance import Appliance
from signer.usecases.wallet import load_wallet
from tests.bitcoin.builders import Spend, build_psbt, external_script
from tests.conftest import Cli

DATA = Path(__file__).with_name("data")
bitcointx.select_chain_params("bitcoin/regtest")


@pytest.fixture
def wallet_cli(cli: Cli, pins: str, tmp_path: Path) -> Cli:
    """`cli` on a home where the ceremony ran and the test policy is applied."""
    shares, exports = tmp_path / "shares", tmp_path / "exports"
    shares.mkdir()
    exports.mkdir()
    code, doc = cli("ceremony", "run", str(DATA / "ceremony.toml"), "--shares-dir", str(shares),
                    "--export-dir", str(exports))
    assert code == 0, doc
    code, doc = cli("policy", "apply", str(DATA / "policy.toml"), "--holders", "A,B")
    assert code == 0, doc
    return cli


def registered(cli: Cli) -> MultisigWallet:
    app = Appliance.open(cli.home)
    try:
        return load_wallet(app).bitcoin
    finally:
        app.close()


def psbt_file(
    directory: Path, wallet: MultisigWallet, name: str, pay: int, spend: int = 100_000_000,
    fee: int | None = None, spends: list[Spend] | None = None, payee: str = "payee",
) -> Path:
    """A base64 PSBT file paying ``pay`` sats to an external address, change back to /1/0."""
    spends = spends or [Spend((0, 0), spend)]
    fee = fee if fee is not None else min(10_000, pay // 100)  # within the 2% fee cap
    total = sum(s.amount for s in spends)
    psbt = build_psbt(wallet, spends, [(external_script(payee), pay)],
                      change=((1, 0), total - pay - fee))
    path = directory / name
    path.write_bytes(base64.b64encode(psbt_bytes(psbt)))
    return path


def imported(cli: Cli, path: Path) -> dict[str, Any]:
    code, doc = cli("import", str(path))
    assert doc["refused"] == [], doc
    return dict(doc["drafts"][0], exit=code)


def verify_final(tx_hex: str, psbt_path: Path) -> None:
    """python-bitcointx's interpreter, not ours, checks every input's witness."""
    tx = CTransaction.deserialize(bytes.fromhex(tx_hex))
    psbt = read_psbt(psbt_path.read_bytes(), "exported")
    for index, inp in enumerate(psbt.inputs):
        utxo = inp.witness_utxo
        witness = tx.wit.vtxinwit[index].scriptWitness
        assert isinstance(witness, CScriptWitness)
        VerifyScript(CScript(), CScript(bytes(utxo.script_pubkey.data)), tx, index,
                     flags={SCRIPT_VERIFY_P2SH, SCRIPT_VERIFY_WITNESS}, amount=utxo.value,
                     witness=witness)
