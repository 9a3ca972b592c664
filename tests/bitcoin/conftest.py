"""Fixtures for the Bitcoin chain tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from builders import SeededWallet, make_wallet

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "bip174-psbt.json"


@pytest.fixture(scope="session")
def bip174() -> dict[str, Any]:
    return dict(json.loads(VECTORS.read_text()))


@pytest.fixture(scope="session")
def seeded() -> SeededWallet:
    return make_wallet()
