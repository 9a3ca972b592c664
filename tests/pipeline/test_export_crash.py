"""A crash (SIGKILL) at every step of `export`: no final name on incomplete data, no
manifest naming a missing file, no `drafts_exported` entry for an export that is not
on the stick, and the draft stays exportable."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bitcoin.builders import Spend
from tests.conftest import REPO, Cli
from tests.pipeline.conftest import imported, psbt_file, registered

CHILD = Path(__file__).with_name("export_child.py")
DRAFTS = 3
FILES = DRAFTS * 4  # .psbt, .psbt.txt, .tx.hex, .ur.txt (+ one PNG per QR part)


def _export(cli: Cli, out: Path, ids: list[str], point: str) -> int:
    out.mkdir()
    child = subprocess.run([sys.executable, str(CHILD), str(cli.home), str(out), point, *ids],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    return child.returncode


def _on_the_stick(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}


@pytest.fixture
def signed(wallet_cli: Cli, tmp_path: Path) -> list[str]:
    wallet = registered(wallet_cli)
    ids = [imported(wallet_cli, psbt_file(tmp_path, wallet, f"{n}.psbt", 100_000 + n,
                                          spends=[Spend((0, n), 1_000_000)]))["id"]
           for n in range(DRAFTS)]
    assert wallet_cli("sign", *ids, "--holder", "A", "--holder", "B")[0] == 0
    return ids


def test_sigkill_at_every_step_of_export_leaves_whole_files_and_an_honest_journal(
    wallet_cli: Cli, signed: list[str], tmp_path: Path
) -> None:
    reference = tmp_path / "reference"
    assert _export(wallet_cli, reference, signed, "never:1") == 0
    whole = _on_the_stick(reference)
    assert len(whole) > FILES and "MANIFEST.sha256" in whole

    points = ["sync:1", "link:1", f"link:{FILES // 2}", f"link:{len(whole) - 1}",
              "manifest:1", "journal:1"]
    for point in points:
        out = tmp_path / point.replace(":", "-")
        assert _export(wallet_cli, out, signed, point) == -9, point  # it did crash there
        found = _on_the_stick(out)
        for name, content in found.items():
            assert content == whole[name], f"{point}: {name} is not whole"
        if "MANIFEST.sha256" in found:
            for line in found["MANIFEST.sha256"].decode().splitlines():
                digest, name = line.split("  ")
                assert hashlib.sha256(found[name]).hexdigest() == digest, point
        assert ("MANIFEST.sha256" in found) == (point in ("manifest:1", "journal:1")), point

    _, journal = wallet_cli("audit", "show", "--kind", "drafts_exported")
    # Journaled only after the manifest is on the stick: here, the reference export only.
    assert [e["data"]["directory"] for e in journal["entries"]] == [str(reference)]
    assert wallet_cli("audit", "verify")[1]["ok"] is True
    again = tmp_path / "again"
    again.mkdir()
    assert wallet_cli("export", *signed, "--out", str(again), "--qr")[0] == 0
    assert _on_the_stick(again) == whole
