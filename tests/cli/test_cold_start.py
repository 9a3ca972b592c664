"""The CLI's start path stays free of the heavy packages (start-up time, issue 18).

Integrators run one command per draft: `airsign --version` and `airsign --json drafts`
must not load the chains, the HSM binding, the TUI or the QR code. Each check runs
`python -X importtime` in a fresh process and reads which modules it imported.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ceremony.wallet_files import FORMATS
from signer.cli import wallet_cmds
from tests.cli.demo_home import REPO, demo_environment, make_demo

HEAVY = ("bip_utils", "textual", "eth_account", "Crypto", "PIL", "zxing")
# Listing drafts reads the stored summaries: no PKCS#11, no PSBT or Safe parsing either.
HEAVY_FOR_LISTING = (*HEAVY, "pkcs11", "embit", "eth_utils", "eth_abi", "pydantic", "qrcode")


def _imported(argv: list[str], env: dict[str, str] | None = None) -> set[str]:
    """Top-level packages a fresh `python -X importtime ARGV` imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", *argv], cwd=REPO,
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    names = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:") and "|" in line]
    assert "signer" in names  # the measurement saw our own imports
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("argv", [
    ["-m", "signer", "--version"],
    ["-c", "import signer.cli.main as m; m.build_parser()"],
    ["-m", "signer", "--help"],
    ["-m", "signer", "sign", "--help"],
])
def test_starting_the_cli_loads_no_heavy_package(argv: list[str]) -> None:
    assert _imported(argv) & set(HEAVY) == set()


def test_listing_drafts_loads_no_heavy_package(tmp_path: Path) -> None:
    home = make_demo(tmp_path / "demo")
    env = demo_environment(tmp_path / "demo")
    loaded = _imported(["-m", "signer", "--home", str(home), "--json", "drafts"], env)
    assert "sqlite3" in loaded  # it did open the store
    assert loaded & set(HEAVY_FOR_LISTING) == set()


def test_the_cli_names_the_same_wallet_export_formats_as_the_wallet_code() -> None:
    assert wallet_cmds.FORMATS == FORMATS
