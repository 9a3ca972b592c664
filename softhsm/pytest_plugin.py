"""pytest fixtures for testing against real SoftHSM2 tokens.

Load with ``-p softhsm.pytest_plugin``. Each test that asks for ``token_set`` gets
a throwaway token directory holding three initialised tokens (holder-a, -b, -c);
``SOFTHSM2_CONF`` points at it for the test's duration. Under ``CI=true`` a
missing SoftHSM fails the test instead of skipping it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from softhsm.tokens import HarnessError, TokenSet, create_token_set, find_module

TEST_SO_PIN = "so-pin-for-tests"
TEST_USER_PIN = "user-pin-for-tests"
HOLDER_LABELS = ("holder-a", "holder-b", "holder-c")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"SoftHSM is required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"SoftHSM not available: {reason}")


@pytest.fixture(scope="session")
def softhsm_module() -> str:
    """Path of libsofthsm2.so (fails under CI=true when absent)."""
    try:
        return find_module()
    except HarnessError as exc:
        _unavailable(str(exc))
        raise


def _reinitialize(module: str) -> None:
    """python-pkcs11 keeps one module instance per process; SoftHSM reads its conf
    at C_Initialize, so a new token directory needs a re-initialisation."""
    import pkcs11

    pkcs11.lib(module).reinitialize()


@pytest.fixture
def make_token_set(
    softhsm_module: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[object]:
    """Factory: ``make_token_set(labels=...)`` makes a fresh token directory and points
    SOFTHSM2_CONF at it."""

    def make(labels: tuple[str, ...] = HOLDER_LABELS) -> TokenSet:
        directory = tmp_path_factory.mktemp("softhsm")
        try:
            tokens = create_token_set(Path(directory), labels, TEST_SO_PIN, TEST_USER_PIN)
        except HarnessError as exc:
            _unavailable(str(exc))
            raise
        for name, value in tokens.environment().items():
            monkeypatch.setenv(name, value)
        _reinitialize(softhsm_module)
        return tokens

    yield make


@pytest.fixture
def token_set(make_token_set: object) -> TokenSet:
    """A throwaway token directory with holder-a, holder-b and holder-c."""
    assert callable(make_token_set)
    tokens = make_token_set()
    assert isinstance(tokens, TokenSet)
    return tokens


@pytest.fixture
def user_pin() -> str:
    """The user PIN of every token made by these fixtures."""
    return TEST_USER_PIN
