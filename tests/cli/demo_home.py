"""`make demo`'s directory in a scratch place, its inbox imported: drafts to list and show."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def demo_environment(root: Path) -> dict[str, str]:
    """The process environment with the demo's env.sh applied (its SoftHSM tokens)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIRSIGN_PIN_", "AIRSIGN_HOME"))}
    for line in (root / "env.sh").read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value
    return env


def make_demo(root: Path, imported: bool = True) -> Path:
    """Build the demo in ``root`` (tokens, home, inbox) and import its inbox; the home."""
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "demo-setup.py"), str(root)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    if imported:
        done = subprocess.run(
            [sys.executable, "-m", "signer", "--home", str(root / "home"), "import",
             str(root / "inbox")],
            cwd=REPO, capture_output=True, text=True, timeout=300, env=demo_environment(root))
        assert done.returncode == 3, done.stderr  # the demo inbox holds attacks
    return root / "home"
