from __future__ import annotations

import pytest

from signer.usecases import airgap
from signer.usecases.airgap import AirGap
from tests.pipeline.conftest import wallet_cli  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def air_gapped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(airgap, "check", lambda: AirGap())
