"""The runbook's and README's runnable command blocks, run as written against SoftHSM.

Each block runs in bash with the venv's `airsign` first on PATH; every line's exit code
must be the one the page documents. Between blocks the test plays the online vault
system: it puts envelopes built for the fresh wallet on `usb-in/` and `usb-flood/`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from signer.store import journal
from signer.usecases.appliance import Appliance
from signer.usecases.wallet import load_wallet
from tests.docs import docs_inbox
from tests.docs.docs_blocks import DOCS, REPO, Block, bash_script, marked_blocks, steps

EXAMPLE_INPUTS = ("ceremony.toml", "policy.toml", "allowlist.txt", "denylist.txt",
                  "vault-key.pub.pem")
RUNBOOK_BLOCKS = ("ceremony", "session-import", "session-sign", "session-refused", "release",
                  "restore", "drill", "policy", "breaker", "lockout", "audit")
VAULT_IDS = {"BTC": "WD-000123", "USDT": "WD-000124", "BIG": "WD-000130", "EVIL": "WD-000131",
             "LIE": "WD-000132"}


def _run(block: Block, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(["bash", "-c", bash_script(block)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        f"{block.source} ({block.name}) failed:\n{done.stderr[-3000:]}\n{done.stdout[-3000:]}")


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIRSIGN_PIN_", "AIRSIGN_PASSPHRASE_", "AIRSIGN_HOME"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def _write_inboxes(work: Path) -> None:
    """The online side's part: envelopes for this wallet on the incoming media."""
    app = Appliance.open(work / "home")
    try:
        wallet = load_wallet(app)
    finally:
        app.close()
    docs_inbox.session_inbox(wallet).write(work / "usb-in")
    docs_inbox.flood_inbox(wallet).write(work / "usb-flood")


def _draft_ids(work: Path) -> dict[str, str]:
    """The appliance's id of each vault draft, as the operator reads it from `import`."""
    app = Appliance.open(work / "home")
    try:
        imported = {e.data["vault_draft_id"]: e.data["draft"]
                    for e in journal.entries(app.conn, 0, "draft_imported")}
    finally:
        app.close()
    return {name: imported[vault_id] for name, vault_id in VAULT_IDS.items()}


def test_the_runbook_blocks_are_all_run_in_order() -> None:
    names = [b.name for b in marked_blocks(DOCS / "runbook.md") if b.mark == "runnable"]
    assert names == list(RUNBOOK_BLOCKS)
    assert all(steps(b) for b in marked_blocks(DOCS / "runbook.md"))


def test_the_runbook_runs_as_written(tmp_path: Path, make_token_set: object,
                                     user_pin: str) -> None:
    assert callable(make_token_set)
    make_token_set(("holder-a", "holder-b", "holder-c", "holder-b-2"))
    work = tmp_path / "session"
    work.mkdir()
    for name in EXAMPLE_INPUTS:
        shutil.copy(DOCS / "examples" / name, work / name)
    env = _environment(AIRSIGN_HOME=str(work / "home"), AIRSIGN_PASSPHRASE_C="rehearsal",
                       **{f"AIRSIGN_PIN_{h}": user_pin for h in "ABC"})
    blocks = {b.name: b for b in marked_blocks(DOCS / "runbook.md") if b.mark == "runnable"}
    for name in RUNBOOK_BLOCKS:
        _run(blocks[name], work, env)
        if name == "ceremony":
            _write_inboxes(work)
        if name == "session-import":
            env.update(_draft_ids(work))
    exported = sorted(p.name for p in (work / "usb-out").iterdir())
    assert "MANIFEST.sha256" in exported and any(n.endswith(".tx.hex") for n in exported)
    assert any(n.endswith(".safe-signatures.json") for n in exported)


def _readme_block(name: str) -> Block:
    blocks = {b.name: b for b in marked_blocks(REPO / "README.md") if b.mark == "runnable"}
    assert sorted(blocks) == ["quickstart", "tour"]
    return blocks[name]


def test_the_readme_quick_start_runs_as_written(tmp_path: Path, softhsm_module: str) -> None:
    env = _environment(TMPDIR=str(tmp_path))
    env.pop("SOFTHSM2_CONF", None)
    _run(_readme_block("quickstart"), REPO, env)


def test_the_readme_tour_runs_as_written(tmp_path: Path, softhsm_module: str) -> None:
    """The command-line tour, in a directory laid out as `make run` leaves the checkout:
    `.venv/` (this interpreter's venv) and `demo/` (made by scripts/demo-setup.py)."""
    venv = Path(sys.executable).parent.parent
    assert (venv / "bin" / "activate").is_file(), "the tour needs the venv `make` creates"
    (tmp_path / ".venv").symlink_to(venv)
    made = subprocess.run([sys.executable, str(REPO / "scripts" / "demo-setup.py"),
                           str(tmp_path / "demo")], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert made.returncode == 0, made.stderr
    env = _environment(AIRSIGN_PIN_A="1234", AIRSIGN_PIN_C="1234")
    env.pop("SOFTHSM2_CONF", None)  # the tour's `source demo/env.sh` sets it
    _run(_readme_block("tour"), tmp_path, env)
    exported = sorted(p.name for p in (tmp_path / "demo" / "usb" / "1").iterdir())
    assert "MANIFEST.sha256" in exported and len(exported) > 2


@pytest.mark.parametrize("path", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_runnable_blocks_are_only_where_a_test_runs_them(path: Path) -> None:
    runnable = [b for b in marked_blocks(path) if b.mark == "runnable"]
    assert not runnable or path.name == "runbook.md"
