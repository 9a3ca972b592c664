"""A compromised online side tries to drain the wallet in small amounts to fresh addresses.

The window limit (5 BTC per hour) must stop signing at the configured amount, inside
one signing batch, and also when the signing process is killed and restarted.
"""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from signer.chains.bitcoin.drafting import Spend, build_psbt
from signer.chains.bitcoin.psbt_file import psbt_bytes
from tests.conftest import REPO, Cli
from tests.pipeline.conftest import DATA, registered

DRAFTS, AMOUNT = 200, 30_000_000  # 0.3 BTC each: 60 BTC in all
LIMIT = Decimal("5")


def _inbox(cli: Cli, directory: Path) -> list[str]:
    wallet = registered(cli)
    directory.mkdir()
    for n in range(DRAFTS):
        payee = b"\x00\x14" + n.to_bytes(20, "big")  # a fresh address every time
        psbt = build_psbt(wallet, [Spend((0, n % 5), 40_000_000)], [(payee, AMOUNT)],
                          change=((1, n % 5), 40_000_000 - AMOUNT - 10_000), salt=1000 + n)
        (directory / f"{n:03}.psbt").write_bytes(base64.b64encode(psbt_bytes(psbt)))
    code, doc = cli("import", str(directory))
    assert doc["refused"] == [] and len(doc["drafts"]) == DRAFTS, (code, doc["refused"][:2])
    return [d["id"] for d in doc["drafts"]]


def _signed_total(cli: Cli) -> tuple[Decimal, int]:
    _, entries = cli("audit", "show", "--kind", "draft_signed")
    signed = {e["data"]["draft"] for e in entries["entries"]}
    return Decimal(AMOUNT) / Decimal(10**8) * len(signed), len(signed)


def test_the_window_stops_a_drain_inside_one_signing_batch(wallet_cli: Cli,
                                                           tmp_path: Path) -> None:
    assert wallet_cli("policy", "apply", str(DATA / "mass-policy.toml"), "--holders", "B,C")[0] == 0
    ids = _inbox(wallet_cli, tmp_path / "inbox")
    code, doc = wallet_cli("sign", *ids, "--holder", "A")
    total, count = _signed_total(wallet_cli)
    assert total <= LIMIT and count == len(doc["signed"]) == 16
    assert {r["code"] for r in doc["refused"]} == {"window_exceeded"}
    assert code == 4


def test_a_kill_and_restart_mid_batch_signs_nothing_beyond_the_limit(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    assert wallet_cli("policy", "apply", str(DATA / "mass-policy.toml"), "--holders", "B,C")[0] == 0
    ids = _inbox(wallet_cli, tmp_path / "inbox")
    for delay in (0.3, 0.8):
        child = subprocess.Popen(
            [sys.executable, "-m", "signer", "--home", str(wallet_cli.home), "--json", "sign",
             *ids[:120], "--holder", "A"], cwd=REPO, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
    done = wallet_cli.subprocess("sign", *ids, "--holder", "A")
    # 3: drafts a killed run had committed are refused as already signed; 4: window.
    assert done.returncode in (3, 4), done.stderr
    codes = {r["code"] for r in json.loads(done.stdout)["refused"]}
    assert codes <= {"already_signed", "window_exceeded"} and "window_exceeded" in codes
    total, count = _signed_total(wallet_cli)
    assert total <= LIMIT and count <= 16
    assert json.loads(done.stdout)["refused"]
    assert wallet_cli("audit", "verify")[1]["ok"] is True
