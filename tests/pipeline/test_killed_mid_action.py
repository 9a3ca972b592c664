"""A crash (SIGKILL) at every step of `export` and `sign`, then a restart.

Export: no final name on incomplete data, no manifest naming a missing file, no
`drafts_exported` entry for an export that is not on the stick. Sign: nothing of the
killed batch is kept (the signatures never left the appliance), and the restarted batch
signs every draft exactly once, into transactions an independent interpreter accepts.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.bitcoin.builders import Spend
from tests.conftest import KILLED, Cli, killed
from tests.pipeline.conftest import imported, psbt_file, registered, verify_final

DRAFTS = 3
FILES = DRAFTS * 4  # .psbt, .psbt.txt, .tx.hex, .ur.txt (+ one PNG per QR part)


def _export(cli: Cli, out: Path, ids: list[str], point: str) -> int:
    out.mkdir()
    return killed(cli.home, point, "export", *ids, "--out", str(out), "--qr")


def _on_the_stick(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}


def _entries(cli: Cli, kind: str) -> list[dict[str, Any]]:
    return list(cli("audit", "show", "--kind", kind)[1]["entries"])


@pytest.fixture
def drafts(wallet_cli: Cli, tmp_path: Path) -> list[str]:
    wallet = registered(wallet_cli)
    return [imported(wallet_cli, psbt_file(tmp_path, wallet, f"{n}.psbt", 100_000 + n,
                                           spends=[Spend((0, n), 1_000_000)]))["id"]
            for n in range(DRAFTS)]


def test_sigkill_at_every_step_of_export_leaves_whole_files_and_an_honest_journal(
    wallet_cli: Cli, drafts: list[str], tmp_path: Path
) -> None:
    assert wallet_cli("sign", *drafts, "--holder", "A", "--holder", "B")[0] == 0
    reference = tmp_path / "reference"
    assert _export(wallet_cli, reference, drafts, "never:1") == 0
    whole = _on_the_stick(reference)
    assert len(whole) > FILES and "MANIFEST.sha256" in whole

    points = ["sync:1", "link:1", f"link:{FILES // 2}", f"link:{len(whole) - 1}",
              "manifest:1", "drafts_exported:1"]
    for point in points:
        out = tmp_path / point.replace(":", "-")
        assert _export(wallet_cli, out, drafts, point) == KILLED, point
        found = _on_the_stick(out)
        for name, content in found.items():
            assert content == whole[name], f"{point}: {name} is not whole"
        if "MANIFEST.sha256" in found:
            for line in found["MANIFEST.sha256"].decode().splitlines():
                digest, name = line.split("  ")
                assert hashlib.sha256(found[name]).hexdigest() == digest, point
        assert ("MANIFEST.sha256" in found) == (point in points[-2:]), point

    # Journaled only after the manifest is on the stick: here, the reference export only.
    exported = _entries(wallet_cli, "drafts_exported")
    assert [e["data"]["directory"] for e in exported] == [str(reference)]
    assert wallet_cli("audit", "verify")[1]["ok"] is True
    again = tmp_path / "again"
    again.mkdir()
    assert wallet_cli("export", *drafts, "--out", str(again), "--qr")[0] == 0
    assert _on_the_stick(again) == whole


def test_sigkill_at_every_step_of_sign_keeps_nothing_of_the_batch_and_signs_once_after(
    wallet_cli: Cli, drafts: list[str], tmp_path: Path
) -> None:
    for point in ("hsm:1", "draft_signed:1", "hsm:4", f"draft_signed:{2 * DRAFTS}"):
        assert killed(wallet_cli.home, point, "sign", *drafts, "--holder", "A",
                      "--holder", "B") == KILLED, point
        assert _entries(wallet_cli, "draft_signed") == [], point
        assert {d["state"] for d in wallet_cli("drafts")[1]["drafts"]} == {"approved"}, point
    code, doc = wallet_cli("sign", *drafts, "--holder", "A", "--holder", "B")
    assert code == 0 and len(doc["signed"]) == 2 * DRAFTS
    signed = [(e["data"]["draft"], e["data"]["holder"])
              for e in _entries(wallet_cli, "draft_signed")]
    assert sorted(signed) == sorted((d, h) for d in drafts for h in "AB")
    out = tmp_path / "usb"
    out.mkdir()
    assert wallet_cli("export", *drafts, "--out", str(out))[0] == 0
    for draft in drafts:
        verify_final((out / f"{draft}.tx.hex").read_text().strip(), out / f"{draft}.psbt")
    assert wallet_cli("audit", "verify")[1]["ok"] is True
