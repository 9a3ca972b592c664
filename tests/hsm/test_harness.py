"""The SoftHSM harness itself: under CI=true a missing SoftHSM fails, it never skips."""

from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped

from softhsm import pytest_plugin, tokens
from softhsm.tokens import HarnessError


def test_missing_softhsm_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match="SoftHSM is required under CI=true"):
        pytest_plugin._unavailable("no libsofthsm2.so")


def test_missing_softhsm_skips_only_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped):
        pytest_plugin._unavailable("no libsofthsm2.so")


def test_a_missing_module_is_reported_with_the_install_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AIRSIGN_PKCS11_MODULE", raising=False)
    monkeypatch.setattr(tokens, "MODULE_CANDIDATES", ("/nonexistent/libsofthsm2.so",))
    with pytest.raises(HarnessError, match="apt-get install softhsm2"):
        tokens.find_module()
