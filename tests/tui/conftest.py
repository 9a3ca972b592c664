"""Homes for the TUI tests: a wallet from a reproducible ceremony, the pipeline policy, drafts.

Entropy is fixed (HSM and OS sources) so the wallet, its addresses and therefore the
draft ids are the same on every run: the SVG snapshots depend on it. The appliance
the TUI runs on has a fixed clock, so verdict times and countdowns are stable too.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from ceremony import run as ceremony_run
from signer.hsm.gateway import Gateway
from signer.tui.app import AirsignApp
from signer.usecases import airgap
from signer.usecases.airgap import AirGap
from signer.usecases.appliance import Appliance
from signer.usecases.intake import import_paths
from signer.usecases.wallet import load_wallet
from softhsm.tokens import TokenSet
from tests.conftest import Cli
from tests.pipeline.conftest import psbt_file, wallet_cli  # noqa: F401 (fixture)
from tests.tui.demo_home import Demo, make_demo

FIXED_NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture(autouse=True)
def reproducible_ceremony(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same master secrets every run: HSM and OS entropy replaced by labelled constants."""

    def hsm_random(self: Gateway, label: str, count: int) -> bytes:
        return (hashlib.sha256(f"tui-test {label}".encode()).digest() * 8)[:count]

    monkeypatch.setattr(Gateway, "random", hsm_random)
    monkeypatch.setattr(ceremony_run, "mix_entropy", functools.partial(
        ceremony_run.mix_entropy, os_random=lambda n: bytes(n)))


@pytest.fixture(autouse=True)
def air_gapped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test host's network must not change what the screens show."""
    monkeypatch.setattr(airgap, "check", lambda: AirGap())


@pytest.fixture
def home(wallet_cli: Cli) -> Iterator[Appliance]:  # noqa: F811
    """The wallet home opened with the fixed clock, as the TUI would open it."""
    app = Appliance.open(wallet_cli.home, clock=fixed_clock)
    yield app
    app.close()


@pytest.fixture
def demo(
    token_set: TokenSet, user_pin: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Demo]:
    """The `make run` demo (wallet, policy, Safe, vault key, six-draft inbox), reproducible,
    opened as the TUI opens it, with the working directory at its root."""
    # A path of fixed length: the policy and wizard screens show it, and pytest's numbered
    # temporary directory would move their line wrapping from one machine to the next.
    root = Path(tempfile.mkdtemp(prefix="airsign-demo-", dir="/tmp"))
    make_demo(root, token_set.module, user_pin, monkeypatch)
    app = Appliance.open(root / "home", clock=fixed_clock)
    yield Demo(root, app)
    app.close()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path


def withdrawal(app: Appliance, inbox: Path, name: str, pay: int, **kwargs: Any) -> Path:
    """A PSBT in the inbox paying ``pay`` sats out of the registered wallet."""
    return psbt_file(inbox, load_wallet(app).bitcoin, name, pay, **kwargs)


def imported(app: Appliance, *paths: Path) -> list[dict[str, Any]]:
    report = import_paths(app, list(paths))
    assert report.refused == [], report.refused
    return report.drafts


def text(app: AirsignApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def settle(pilot: Pilot[None], until: Callable[[], bool], seconds: float = 10) -> None:
    """Let workers finish until ``until()`` holds (polling, never a fixed sleep)."""
    for _ in range(int(seconds / 0.05)):
        await pilot.pause(0.05)
        if until():
            return
    raise AssertionError("the screen never showed what was expected")


async def type_text(pilot: Pilot[None], value: str) -> None:
    """Type into the focused widget, key by key (PINs, ids: what the operator types)."""
    await pilot.press(*value)


async def fill(pilot: Pilot[None], value: str) -> None:
    """Put a long value (a path, a reason) into the focused Input at once: typing it key by
    key only costs time, and the Input's own editing is Textual's, not ours."""
    focused = pilot.app.focused
    assert isinstance(focused, Input), focused
    focused.value = value
    await pilot.pause()


Step = Callable[[Pilot[None]], Awaitable[None]]
