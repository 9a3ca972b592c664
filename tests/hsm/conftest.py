from __future__ import annotations

from collections.abc import Iterator

import pytest

from signer.hsm.gateway import Gateway
from signer.hsm.token import TokenSession
from softhsm.tokens import TokenSet


@pytest.fixture
def gateway(token_set: TokenSet) -> Gateway:
    return Gateway(token_set.module)


@pytest.fixture
def holder_a(gateway: Gateway, user_pin: str) -> Iterator[TokenSession]:
    session = gateway.login("holder-a", user_pin)
    yield session
    session.logout()
