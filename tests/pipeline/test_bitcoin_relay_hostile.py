"""A hostile vault's unrelayable, time-locked or out-of-pool drafts, imported through the
CLI against SoftHSM tokens: each refused with its code (exit 3) and never signed, and
an ordinary vault draft after them still imports, is approved, signs and verifies.

The drafts are the vault's own (embit, tests/bitcoin/vault.py), from the registered
wallet's xpubs; the pipeline's ceremony imports 5 + 5 keys into each token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bitcointx.core import CTransaction
from embit.hashes import hash160
from embit.psbt import PSBT, DerivationPath

from signer.cli.main import run
from tests.bitcoin.vault import Out, Spend, Vault, p2wpkh, write
from tests.conftest import Cli
from tests.pipeline.conftest import DATA, registered, verify_final

COIN, PAY, FEE = 50_000_000, 1_000_000, 10_000
POOL = 5  # tests/pipeline/data/ceremony.toml


def _draft(vault: Vault, salt: int, extra: list[Out] | None = None, *,
           spend: Spend | None = None, change: tuple[int, int] = (1, 0),
           **tx: Any) -> PSBT:
    spend = spend or Spend(0, salt % POOL, COIN)
    extra = extra or []
    rest = spend.amount - PAY - FEE - sum(o.value for o in extra)
    return vault.psbt([spend], [Out(p2wpkh(f"payee {salt}"), PAY), *extra,
                                vault.change(*change, rest)], salt=salt, **tx)


def _hardened_change(vault: Vault, salt: int) -> PSBT:
    psbt = _draft(vault, salt)
    out = psbt.outputs[1]
    out.bip32_derivations = {key: DerivationPath(d.fingerprint, [*d.derivation[:-1], 0x80000002])
                             for key, d in out.bip32_derivations.items()}
    return psbt


def _refused_and_never_signed(cli: Cli, path: Path, code: str) -> None:
    exit_code, doc = cli("import", str(path))
    assert exit_code == 3 and doc["refused"] == [], (path.name, doc)
    draft = doc["drafts"][0]
    assert draft["verdict"] == "reject", (path.name, draft)
    assert code in [r["code"] for r in draft["reasons"]], (path.name, draft["reasons"])
    exit_code, signed = cli("sign", draft["id"], "--holder", "A")
    assert exit_code == 3 and signed["signed"] == [], (path.name, signed)
    assert signed["refused"][0]["code"] in [r["code"] for r in draft["reasons"]]


def _signs_and_verifies(cli: Cli, path: Path, holders: str, out: Path) -> dict[str, Any]:
    """Import, approve, two holders sign, export, and python-bitcointx verifies."""
    exit_code, doc = cli("import", str(path))
    assert exit_code == 0 and doc["drafts"][0]["verdict"] == "approve", doc["drafts"][0]["reasons"]
    draft = doc["drafts"][0]
    for holder in holders:
        assert cli("sign", draft["id"], "--holder", holder)[0] == 0
    out.mkdir()
    assert cli("export", draft["id"], "--out", str(out))[0] == 0
    tx_hex = (out / f"{draft['id']}.tx.hex").read_text().strip()
    verify_final(tx_hex, out / f"{draft['id']}.psbt")
    draft["tx_hex"] = tx_hex
    return draft


def _weight(tx_hex: str) -> int:
    tx = CTransaction.deserialize(bytes.fromhex(tx_hex))
    stripped = CTransaction(tx.vin, tx.vout, tx.nLockTime, tx.nVersion)
    return 3 * len(stripped.serialize()) + len(tx.serialize())


def _apply_policy(cli: Cli, tmp_path: Path, extra: str = "", max_flagged: int = 5) -> None:
    policy = tmp_path / "policy.toml"
    text = (DATA / "policy.toml").read_text().replace("max_flagged = 5",
                                                      f"max_flagged = {max_flagged}")
    policy.write_text(text + extra)
    assert cli("policy", "apply", str(policy), "--holders", "B,C")[0] == 0


def test_unrelayable_and_out_of_pool_drafts_are_refused_and_an_ordinary_one_still_signs(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    # Every refusal is a flagged draft: past 5 in an hour the circuit breaker would halt
    # signing by design (two holders reset it). This test is about the refusals.
    _apply_policy(wallet_cli, tmp_path, max_flagged=50)
    vault = Vault(registered(wallet_cli))
    heavy_spends = [Spend(0, n % POOL, 30_000) for n in range(957)]
    attacks: dict[str, tuple[PSBT, str]] = {
        "version-3": (_draft(vault, 1, version=3), "nonstandard_version"),
        "version-0": (_draft(vault, 2, version=0), "nonstandard_version"),
        "dust": (_draft(vault, 3, [Out(p2wpkh("dust"), 293)]), "dust_output"),
        "bare-multisig": (_draft(vault, 4, [Out(b"\x51\x21" + b"\x02" * 33 + b"\x51\xae",
                                                10_000)]), "nonstandard_output"),
        "op-return-84": (_draft(vault, 5, [Out(b"\x6a\x4c\x51" + b"\x00" * 81, 0)]),
                         "nonstandard_output"),
        "op-return-burn": (_draft(vault, 6, [Out(b"\x6a\x04abcd", 5_000)]), "op_return_value"),
        "relative-lock": (_draft(vault, 7, sequence=144), "relative_locktime"),
        "time-lock": (_draft(vault, 8, locktime=1_900_000_000), "time_locktime"),
        "height-lock": (_draft(vault, 9, locktime=1, sequence=0xFFFFFFFE), "locktime_too_high"),
        "change-beyond-pool": (_draft(vault, 10, change=(1, POOL)), "change_beyond_pool"),
        "change-on-receive": (_draft(vault, 11, change=(0, 1)), "change_on_receive_branch"),
        "change-hardened": (_hardened_change(vault, 12), "change_hardened"),
        "unmarked-beyond-pool": (_draft(vault, 13, [Out(vault.script(1, 40), 20_000)]),
                                 "change_beyond_pool"),
        "input-beyond-pool": (_draft(vault, 14, spend=Spend(0, POOL, COIN)), "key_absent"),
        # Our own keys in a script the appliance never spends: coins out of its reach.
        "p2sh-wrapped-change": (_draft(vault, 17, [Out(b"\xa9\x14" + hash160(
            vault.script(1, 1)) + b"\x87", 20_000)]), "own_keys_other_script"),
        "single-key-p2wpkh": (_draft(vault, 18, [Out(b"\x00\x14" + hash160(
            next(iter(vault.derivations(1, 2))).sec()), 20_000)]), "own_keys_other_script"),
        # No fee: no node relays it, and signed its coin would stay claimed.
        "zero-fee": (vault.psbt([Spend(0, 3, COIN)], [Out(p2wpkh("payee 19"), PAY),
                                                      vault.change(1, 3, COIN - PAY)], salt=19),
                     "fee_below_relay"),
        "too-heavy": (vault.psbt(heavy_spends, [Out(p2wpkh("sweep"), 957 * 30_000 - 200_000)],
                                 salt=15), "tx_too_heavy"),
    }
    for name, (psbt, code) in attacks.items():
        _refused_and_never_signed(wallet_cli, write(psbt, tmp_path / f"{name}.psbt"), code)
    _, journal = wallet_cli("audit", "show", "--kind", "draft_signed")
    assert journal["entries"] == []

    # Nothing is frozen: the vault's ordinary draft, change at the pool's last index and
    # spending the last receive key, signs with the same tokens.
    ordinary = _draft(vault, 16, spend=Spend(0, POOL - 1, COIN), change=(1, POOL - 1),
                      sequence=0xFFFFFFFE)
    draft = _signs_and_verifies(wallet_cli, write(ordinary, tmp_path / "ordinary.psbt"), "AB",
                                tmp_path / "usb")
    _, shown = wallet_cli("show", draft["id"])
    # The weight the review estimated bounds the real one: signatures are 71-72 bytes.
    estimated, actual = shown["vsize"] * 4, _weight(draft["tx_hex"])
    assert estimated - 16 <= actual <= estimated
    assert wallet_cli("audit", "verify")[1]["ok"] is True


def _show_text(cli: Cli, draft_id: str) -> str:
    cli.capsys.readouterr()
    assert run(["--home", str(cli.home), "show", draft_id]) == 0
    return cli.capsys.readouterr().out


def test_a_height_locktime_is_signed_up_to_the_policy_bound_and_shown(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    _apply_policy(wallet_cli, tmp_path, "\n[bitcoin]\nmax_locktime_height = 300\n")
    vault = Vault(registered(wallet_cli))
    beyond = write(_draft(vault, 1, locktime=301, sequence=0xFFFFFFFE), tmp_path / "301.psbt")
    _refused_and_never_signed(wallet_cli, beyond, "locktime_too_high")
    time_lock = write(_draft(vault, 2, locktime=500_000_000, sequence=0xFFFFFFFE),
                      tmp_path / "time.psbt")
    _refused_and_never_signed(wallet_cli, time_lock, "time_locktime")

    at_bound = write(_draft(vault, 3, locktime=300, sequence=0xFFFFFFFE), tmp_path / "300.psbt")
    draft = _signs_and_verifies(wallet_cli, at_bound, "CA", tmp_path / "usb")
    tx = CTransaction.deserialize(bytes.fromhex(draft["tx_hex"]))
    assert tx.nLockTime == 300 and tx.vin[0].nSequence == 0xFFFFFFFE
    _, shown = wallet_cli("show", draft["id"])
    assert (shown["locktime"], shown["version"], shown["sequences"]) == (300, 2, [0xFFFFFFFE])
    line = "Timelock: nLockTime 300 (not before block 300)"
    assert line in shown["words"]  # the chain's own words (--json)
    # The holder's text (signer/usecases/describe.py) says it among what to compare.
    assert "locktime 300 (block height): not valid in a block before it" in _show_text(
        wallet_cli, draft["id"])
