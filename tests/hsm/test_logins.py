"""Logins, failures, missing parts and re-initialisation against real SoftHSM."""

from __future__ import annotations

import pytest

from signer.errors import Exit, HsmError
from signer.hsm.gateway import Gateway
from softhsm.tokens import create_token_set


def test_wrong_pin_is_an_hsm_error_with_exit_5(gateway: Gateway) -> None:
    with pytest.raises(HsmError) as refused:
        gateway.login("holder-a", "not-the-pin")
    assert refused.value.code == "wrong_pin"
    assert refused.value.exit == Exit.HSM
    assert "holder-a" in refused.value.message


def test_failed_logins_leave_no_session_behind(gateway: Gateway, user_pin: str) -> None:
    """python-pkcs11 leaks the session of a failed C_Login; the gateway closes it."""
    for _ in range(25):
        with pytest.raises(HsmError):
            gateway.login("holder-b", "wrong-pin")
    session = gateway.login("holder-b", user_pin)
    assert session.keys() == {}
    session.logout()
    # A leaked read-only session would make SO login fail (CKR_SESSION_READ_ONLY_EXISTS).
    token = gateway._token("holder-b")
    with token.open(rw=True, so_pin="so-pin-for-tests"):
        pass


def test_absent_token_and_missing_module(gateway: Gateway, user_pin: str) -> None:
    with pytest.raises(HsmError) as absent:
        gateway.login("holder-z", user_pin)
    assert absent.value.code == "token_absent" and absent.value.exit == Exit.HSM
    with pytest.raises(HsmError) as missing:
        Gateway("/nonexistent/libpkcs11.so")
    assert missing.value.code == "module_not_found"


def test_tokens_made_after_loading_appear_after_rescan(gateway: Gateway, token_set) -> None:  # type: ignore[no-untyped-def]
    before = {t.label for t in gateway.tokens()}
    create_token_set(token_set.directory, ["late-token"], "so-pin-for-tests", "late-pin")
    assert "late-token" not in {t.label for t in gateway.tokens()}
    gateway.rescan()
    after = {t.label for t in gateway.tokens()}
    assert after == before | {"late-token"}


def test_random_bytes_come_from_the_token(gateway: Gateway) -> None:
    first, second = gateway.random("holder-a", 32), gateway.random("holder-a", 32)
    assert len(first) == 32 and first != second
