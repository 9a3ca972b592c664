"""Shared fixtures: an appliance home bound to a throwaway SoftHSM token set."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from signer.cli.main import run
from signer.usecases.appliance import Appliance
from softhsm.tokens import TokenSet

REPO = Path(__file__).resolve().parent.parent

# Under CI the properties replay the same cases every run, so a landing never hinges on
# the luck of a random draw (nor on a loaded runner's pause against the per-example
# deadline); locally (and in `make test-fuzz`) they explore new inputs, and whatever they
# find is kept as a regression case.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


KILLED = -signal.SIGKILL


def killed(home: Path, point: str, *args: str) -> int:
    """Exit status of `airsign --home HOME ARGS...` made to crash at ``point`` (see
    tests/crashing_child.py); KILLED when it did."""
    child = REPO / "tests" / "crashing_child.py"
    return subprocess.run([sys.executable, str(child), point, "--home", str(home), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=120).returncode


@pytest.fixture
def home_path(tmp_path: Path, token_set: TokenSet) -> Path:
    """A new home bound to the test token set (not left open)."""
    path = tmp_path / "home"
    Appliance.create(path, token_set.module).close()
    return path


@pytest.fixture
def appliance(home_path: Path) -> Iterator[Appliance]:
    app = Appliance.open(home_path)
    yield app
    app.close()


@pytest.fixture
def pins(monkeypatch: pytest.MonkeyPatch, user_pin: str) -> str:
    """Every holder's PIN in AIRSIGN_PIN_<H>, as a non-interactive operator would set it."""
    for holder in "ABC":
        monkeypatch.setenv(f"AIRSIGN_PIN_{holder}", user_pin)
    return user_pin


class Cli:
    """Run `airsign` in this process (fast) or as a real subprocess (restarts, locks)."""

    def __init__(self, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.home = home
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, Any]:
        self.capsys.readouterr()
        code = run(["--home", str(self.home), "--json", *args])
        out = self.capsys.readouterr().out
        return code, json.loads(out) if out.strip() else None

    def subprocess(
        self, *args: str, env: dict[str, str] | None = None, json_output: bool = True
    ) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "signer", "--home", str(self.home)]
        argv += ["--json"] if json_output else []
        return subprocess.run(
            argv + list(args),
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **(env or {})},
            cwd=REPO,
        )


@pytest.fixture
def cli(home_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(home_path, capsys)
