"""`import` of hostile files and fuzzed drafts: clean refusals, journaled, no half-import."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Cli
from tests.pipeline.conftest import psbt_file, registered


def _refused(cli: Cli, *paths: Path) -> tuple[int, dict[str, dict[str, str]]]:
    code, doc = cli("import", *map(str, paths))
    return code, {Path(r["file"].split("#")[0].removeprefix("qr:")).name: r
                  for r in doc["refused"]}


def test_hostile_files_are_refused_with_a_reason_and_journaled(wallet_cli: Cli,
                                                               tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    good = psbt_file(usb, registered(wallet_cli), "withdrawal.json", 100_000)  # PSBT, odd name
    (usb / "link.psbt").symlink_to(good)
    os.mkfifo(usb / "pipe.psbt")
    (usb / "huge.psbt").write_bytes(b"psbt\xff" + bytes(2 * 1024 * 1024))
    # Junk that starts with "{" (or whitespace then "{") is judged as broken JSON instead,
    # so this junk starts with a byte no recognised format starts with.
    junk = b"\x00" + random.Random(4096).randbytes(4096)
    (usb / "junk.bin").write_bytes(junk)
    (usb / "brace.bin").write_bytes(b" {" + junk)
    code, refused = _refused(wallet_cli, usb)
    assert code == 2
    assert refused["link.psbt"]["code"] == "symlink"
    assert refused["pipe.psbt"]["code"] == "not_a_regular_file"
    assert refused["huge.psbt"]["code"] == "too_large"
    assert refused["junk.bin"]["code"] == "unrecognised_format"
    assert refused["brace.bin"]["code"] == "bad_json"
    assert "withdrawal.json" not in refused  # detected by content, not by its name
    assert len(wallet_cli("drafts")[1]["drafts"]) == 1
    _, journal = wallet_cli("audit", "show", "--kind", "import_refused")
    by_source = {Path(e["data"]["source"]).name: e["data"] for e in journal["entries"]}
    assert by_source["junk.bin"]["sha256"] == hashlib.sha256(junk).hexdigest()
    assert set(by_source) >= {"link.psbt", "pipe.psbt", "huge.psbt", "junk.bin"}


def _consistent(cli: Cli) -> None:
    """Every stored draft has its import entry and a verdict; no entry without its draft."""
    conn = sqlite3.connect(cli.home / "state.db")
    rows = {r[0]: r[1] for r in conn.execute("SELECT id, verdict FROM drafts")}
    imported = [json.loads(r[0])["draft"] for r in
                conn.execute("SELECT data FROM journal WHERE kind = 'draft_imported'")]
    conn.close()
    assert sorted(imported) == sorted(rows)
    assert all(verdict in ("approve", "delay", "reject") for verdict in rows.values())


def _mutate(data: bytes, cuts: list[tuple[int, int]]) -> bytes:
    buffer = bytearray(data)
    for position, value in cuts:
        if buffer:
            buffer[position % len(buffer)] = value
    return bytes(buffer)


def _examples(cli: Cli, tmp_path: Path) -> list[bytes]:
    psbt_text = psbt_file(tmp_path, registered(cli), "seed.psbt", 100_000).read_bytes()
    safe = json.dumps({"safe": "0x" + "5a" * 20, "chainId": 131277322940537,
                       "safeVersion": "1.4.1", "to": "0x" + "ab" * 20, "value": "1",
                       "data": "0x", "operation": 0, "safeTxGas": "0", "baseGas": "0",
                       "gasPrice": "0", "gasToken": "0x" + "00" * 20,
                       "refundReceiver": "0x" + "00" * 20, "nonce": 1}).encode()
    return [psbt_text, base64.b64decode(psbt_text), safe]


def _fuzz_once(cli: Cli, tmp_path: Path, seed: bytes, cuts: list[tuple[int, int]],
               n: int) -> None:
    path = tmp_path / f"fuzz-{n}.dat"
    path.write_bytes(_mutate(seed, cuts))
    code, doc = cli("import", str(path))
    assert code in (0, 2, 3, 4), doc
    assert all(r["code"] != "internal_error" and r["message"] for r in doc["refused"])
    assert len(doc["drafts"]) + len(doc["refused"]) >= 1


def _run_fuzz(cli: Cli, tmp_path: Path, examples: int) -> None:
    seeds = _examples(cli, tmp_path)
    counter = iter(range(10**9))

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.sampled_from(range(len(seeds))),
           st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6))
    def check(which: int, cuts: list[tuple[int, int]]) -> None:
        _fuzz_once(cli, tmp_path, seeds[which], cuts, next(counter))

    check()
    _consistent(cli)


def test_fuzzed_drafts_only_ever_give_clean_answers(wallet_cli: Cli, tmp_path: Path) -> None:
    _run_fuzz(wallet_cli, tmp_path, 150)


@pytest.mark.fuzz
def test_fuzzed_drafts_ten_thousand_cases(wallet_cli: Cli, tmp_path: Path) -> None:
    _run_fuzz(wallet_cli, tmp_path, 10_000)


def test_regression_outputs_above_inputs_is_a_rejection_not_a_crash(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    """Found by the 10,000-case fuzz: a negative fee crashed screening (internal error)."""
    from signer.chains.bitcoin.drafting import Spend, build_psbt
    from signer.chains.bitcoin.psbt_file import psbt_bytes

    wallet = registered(wallet_cli)
    psbt = build_psbt(wallet, [Spend((0, 0), 1_000_000)], [(b"\x00\x14" + bytes(20), 2_000_000)])
    path = tmp_path / "inflated.psbt"
    path.write_bytes(psbt_bytes(psbt))
    code, doc = wallet_cli("import", str(path))
    assert code == 3, doc
    assert "outputs_exceed_inputs" in [r["code"] for r in doc["drafts"][0]["reasons"]]
