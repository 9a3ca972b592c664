"""The demo appliance `make run` opens (demo_appliance/home.py), made reproducible for captures.

The ceremony's entropy is fixed by the conftest; the vault key the demo generates is fixed
here, so draft ids, envelopes and their hash words are the same on every run. The demo
lives in a fresh directory the test works in (paths on screen are relative: `inbox`,
`usb`), so the length of pytest's temporary directory never moves a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from demo_appliance import home as demo_module
from signer.store import drafts
from signer.tui.app import AirsignApp
from signer.usecases.appliance import Appliance
from signer.usecases.sign_drafts import sign_drafts

# The demo's attacks, by inbox file: what the snapshots and the guide review.
ATTACKS = ("04-fraudulent-change.psbt", "05-safe-delegatecall.json",
           "06-envelope-lies-about-amount.json")


class _FixedVaultKey:
    """Stands in for Ed25519PrivateKey in demo_appliance.home: generate() is reproducible."""

    @staticmethod
    def generate() -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@dataclass
class Demo:
    root: Path
    app: Appliance

    def tui(self) -> AirsignApp:
        return AirsignApp(self.app, inbox=Path("inbox"))

    def draft_from(self, file_name: str) -> str:
        """The id of the draft imported from one inbox file."""
        return next(r.id for r in drafts.listing(self.app.conn)
                    if Path(r.source).name == file_name)

    def sign_approved(self, pin: str) -> list[str]:
        """Holders A and B sign every approved draft (what the signing screen would do)."""
        ids = [r.id for r in drafts.listing(self.app.conn) if r.state == "approved"]
        report = sign_drafts(self.app, ids, ["A", "B"], lambda _holder: pin)
        assert not report.refused, report.refused
        return ids


def make_demo(root: Path, module: str, pin: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(demo_module, "Ed25519PrivateKey", _FixedVaultKey)
    demo_module.create_demo(root / "home", module, pin)
    monkeypatch.chdir(root)
    return root
