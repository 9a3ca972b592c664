"""Shared fixtures for the ceremony tests: a complete, valid ceremony file."""

from __future__ import annotations

from pathlib import Path

import pytest

VALID_CEREMONY_PATH = Path(__file__).parent / "data" / "valid-ceremony.toml"


@pytest.fixture
def ceremony_text() -> str:
    return VALID_CEREMONY_PATH.read_text()


@pytest.fixture
def ceremony_file(tmp_path: Path) -> Path:
    path = tmp_path / "ceremony.toml"
    path.write_text(VALID_CEREMONY_PATH.read_text())
    return path
