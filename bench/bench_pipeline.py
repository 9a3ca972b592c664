"""End to end: drafts per second from import to export, against the raw HSM rate and
against slow tokens.

500 single-input Bitcoin drafts and 200 Safe drafts go through import (decode,
structural checks, risk screen), two holders' signatures, finalize and export.
Signing runs in both ways an operator can sign: both holders at one session
(`sign ID... --holder A --holder B`, one pass) and one holder after the other
(`--holder A`, then `--holder B`), each on its own 500 drafts.
The baseline is a raw python-pkcs11 loop of 1,000 CKM_ECDSA signatures measured in
the same run; the target for Bitcoin is >= 0.35 of half the raw rate (two
signatures per draft).

Slow tokens (issue 16): the same SoftHSM sessions, each signature 5 ms slower (a
stand-in for a network HSM; see bench/_tokens.py), 200 single-input drafts, A and B in
one pass. Two tokens signing one after the other manage 1 / (2 x 5 ms) = 100 drafts/s;
the target is >= 80 drafts/s end to end (ratio 0.8).

Only the public use cases are driven (import_paths, sign_drafts, export_drafts) and the
delay enters at the gateway's login, so the bench holds whatever the signing loop does
inside. Run: .venv/bin/python bench/bench_pipeline.py [--mode all|softhsm|slow]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pkcs11 import Mechanism

from bench._tokens import BENCH_PIN, bench_tokens, slow_tokens
from ceremony.run import CeremonyOptions, run_ceremony
from signer.chains.bitcoin.drafting import Spend, build_psbt
from signer.chains.bitcoin.psbt_file import psbt_bytes
from signer.hsm.gateway import Gateway
from signer.usecases import governance
from signer.usecases.appliance import Appliance
from signer.usecases.exporting import export_drafts
from signer.usecases.intake import import_paths
from signer.usecases.policy import apply_policy
from signer.usecases.sign_drafts import sign_drafts
from signer.usecases.wallet import load_wallet

DRAFTS, SAFE_DRAFTS = 500, 200
SLOW_DRAFTS, SLOW_DELAY = 200, 0.005
# Two tokens, one after the other, each SLOW_DELAY per signature: drafts per second.
SLOW_CEILING = 1 / (2 * SLOW_DELAY)
ROOT = Path(__file__).resolve().parent
CEREMONY = ROOT.parent / "tests" / "pipeline" / "data" / "ceremony.toml"
POLICY = """version = 1
default_delay = "24h"
accept_plain_drafts = true
[assets.BTC]
chain = "bitcoin"
max_per_draft = "100"
windows = [ { period = "24h", max_total = "100000", max_count = 100000 } ]
[assets.ETH]
chain = "ethereum"
max_per_draft = "100"
windows = [ { period = "24h", max_total = "100000", max_count = 100000 } ]
[destinations]
first_time = "allow"
[anomaly]
median_factor = 1000
burst_count = 100000
burst_period = "10m"
[circuit_breaker]
max_flagged = 100000
period = "1h"
"""


def raw_rate(module: str, label: str) -> float:
    gateway = Gateway(module)
    session = gateway.login(label, BENCH_PIN)
    key = session.import_secp256k1(bytearray(os.urandom(32)), f"bench-raw-{os.urandom(4).hex()}")
    digest = bytes(32)
    start = time.perf_counter()
    for _ in range(1000):
        key.handle.sign(digest, mechanism=Mechanism.ECDSA)
    elapsed = time.perf_counter() - start
    session.logout()
    return 1000 / elapsed


def setup(work: Path, ceremony: Path = CEREMONY, policy: str = POLICY) -> Appliance:
    """A home whose ceremony ran, with the policy applied and a Safe registered (the
    raw-rate token "raw" beside the holders')."""
    tokens = bench_tokens(("holder-a", "holder-b", "holder-c", "raw"))
    app = Appliance.create(work / "home", tokens.module)
    for name in ("shares", "exports"):
        (work / name).mkdir()
    run_ceremony(app, ceremony, CeremonyOptions(work / "shares", work / "exports"),
                 lambda _h: BENCH_PIN, lambda _h: b"")
    (work / "policy.toml").write_text(policy)
    apply_policy(app, work / "policy.toml", "A,B", lambda _h: BENCH_PIN)
    governance.set_safe(app, "0x" + "5a" * 20, "A,B", lambda _h: BENCH_PIN)
    return app


def bitcoin_inbox(app: Appliance, inbox: Path, salt: int, count: int = DRAFTS) -> None:
    wallet = load_wallet(app).bitcoin
    payee = b"\x00\x14" + bytes(20)
    for n in range(count):
        psbt = build_psbt(wallet, [Spend((0, n % 5), 10_000_000)], [(payee, 1_000_000)],
                          change=((1, n % 5), 8_990_000), salt=salt + n)
        (inbox / f"{n:04}.psbt").write_bytes(base64.b64encode(psbt_bytes(psbt)))


def safe_inbox(app: Appliance, inbox: Path) -> None:
    wallet = load_wallet(app)
    zero = "0x" + "00" * 20
    for n in range(SAFE_DRAFTS):
        tx = {"safe": wallet.safe, "chainId": wallet.chain_id, "safeVersion": wallet.safe_version,
              "to": "0x" + "ab" * 20, "value": str(10**15), "data": "0x", "operation": 0,
              "safeTxGas": "0", "baseGas": "0", "gasPrice": "0", "gasToken": zero,
              "refundReceiver": zero, "nonce": n}
        (inbox / f"{n:04}.json").write_text(json.dumps(tx))


def end_to_end(app: Appliance, inbox: Path, out: Path, count: int,
               passes: list[list[str]]) -> tuple[float, str]:
    """Drafts per second, and milliseconds per draft in each step."""
    start = time.perf_counter()
    report = import_paths(app, [inbox])
    ids = [d["id"] for d in report.drafts if d["verdict"] == "approve"]
    assert len(ids) == count, (len(ids), report.refused[:3], report.drafts[:1])
    imported = time.perf_counter()
    for holders in passes:
        signed = sign_drafts(app, ids, holders, lambda _h: BENCH_PIN)
        assert not signed.refused, signed.refused[:3]
    assert len(signed.signed) == len(ids) * 2 // len(passes)
    signed_at = time.perf_counter()
    out.mkdir()
    exported = export_drafts(app, ids, out, qr=False)
    assert not exported.refused
    end = time.perf_counter()
    steps = (f"import {(imported - start) * 1000 / count:.2f}, sign "
             f"{(signed_at - imported) * 1000 / count:.2f}, export "
             f"{(end - signed_at) * 1000 / count:.2f} ms/draft")
    return count / (end - start), steps


def softhsm_runs(app: Appliance, work: Path) -> None:
    """The pipeline at SoftHSM's own speed, against the raw signing rate."""
    raw = raw_rate(app.home.config.module, "raw")
    one_pass = [["A", "B"]]
    session = end_to_end(app, work / "btc-session", work / "out-1", DRAFTS, one_pass)
    turns = end_to_end(app, work / "btc-turns", work / "out-2", DRAFTS, [["A"], ["B"]])
    safe = end_to_end(app, work / "safe", work / "out-safe", SAFE_DRAFTS, one_pass)
    raw_again = raw_rate(app.home.config.module, "raw")
    half = (raw + raw_again) / 4
    print(f"raw HSM CKM_ECDSA, 1,000 signatures    : {half * 2:8.0f} signatures/s "
          f"(before {raw:.0f}, after {raw_again:.0f})")
    for label, (rate, steps), target in (
        (f"Bitcoin 1-input ({DRAFTS}), A+B one pass", session, "  (target >= 0.30)"),
        (f"Bitcoin 1-input ({DRAFTS}), A then B    ", turns, ""),
        (f"Safe transfers ({SAFE_DRAFTS}), A+B one pass ", safe, ""),
    ):
        print(f"{label}: {rate:8.1f} drafts/s  ratio to half the raw rate "
              f"{rate / half:.3f}{target}\n    ({steps})")


def slow_runs(app: Appliance, work: Path) -> None:
    """The pipeline with tokens SLOW_DELAY slower per signature (last: it stays slow)."""
    slowdown = slow_tokens(app.gateway, SLOW_DELAY)
    rate, steps = end_to_end(app, work / "btc-slow", work / "out-slow", SLOW_DRAFTS,
                             [["A", "B"]])
    # Two per draft, plus whatever the logins and the journal checkpoint sign.
    assert slowdown.signatures >= 2 * SLOW_DRAFTS, slowdown.signatures
    print(f"Slow tokens (+{SLOW_DELAY * 1000:.0f} ms a signature), Bitcoin 1-input "
          f"({SLOW_DRAFTS}), A+B one pass: {rate:6.1f} drafts/s  ratio to "
          f"{SLOW_CEILING:.0f} drafts/s {rate / SLOW_CEILING:.3f}  (target >= 0.8)\n"
          f"    ({steps}; {slowdown.signatures} slowed signatures)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("all", "softhsm", "slow"), default="all")
    mode = parser.parse_args().mode
    work = Path(tempfile.mkdtemp(prefix="airsign-bench-pipeline-"))
    app = setup(work)
    for name in ("btc-session", "btc-turns", "safe", "btc-slow"):
        (work / name).mkdir()
    if mode in ("all", "softhsm"):
        bitcoin_inbox(app, work / "btc-session", 0)
        bitcoin_inbox(app, work / "btc-turns", DRAFTS)
        safe_inbox(app, work / "safe")
    if mode in ("all", "slow"):
        bitcoin_inbox(app, work / "btc-slow", 2 * DRAFTS, SLOW_DRAFTS)
    # The inboxes stand for files already on a USB stick: flushed before measuring, or
    # the first export's sync() would write them out in its own time.
    os.sync()
    if mode in ("all", "softhsm"):
        softhsm_runs(app, work)
    if mode in ("all", "slow"):
        slow_runs(app, work)
    app.close()


if __name__ == "__main__":
    main()
