"""The registered 2-of-3 wallet, loaded from the store (public data only)."""

from __future__ import annotations

from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import BadInput
from signer.store import registry
from signer.usecases.appliance import Appliance


def load_wallet(app: Appliance) -> RegisteredWallet:
    """The active registered wallet, or a clear error saying to run the ceremony."""
    document = registry.active_wallet(app.conn)
    if document is None:
        raise BadInput(
            "no_wallet",
            "no wallet is registered on this appliance: run 'airsign ceremony run FILE'",
        )
    return RegisteredWallet.from_document(document)


def find_wallet(app: Appliance) -> RegisteredWallet | None:
    document = registry.active_wallet(app.conn)
    return None if document is None else RegisteredWallet.from_document(document)


