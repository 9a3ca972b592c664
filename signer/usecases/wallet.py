"""The registered 2-of-3 wallet as the use cases see it (public data only)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import cached_property
from typing import Any

from signer.chains.bitcoin.wallet import Cosigner, MultisigWallet
from signer.errors import BadInput
from signer.store import registry
from signer.usecases.appliance import Appliance


@dataclass(frozen=True)
class RegisteredHolder:
    id: str
    name: str
    token: str
    fingerprint: str  # hex, 4 bytes
    xpub: str
    path: str
    owner: str  # Ethereum owner address (EIP-55)


@dataclass(frozen=True)
class RegisteredWallet:
    name: str
    network: str
    account: int
    receive_keys: int
    change_keys: int
    holders: tuple[RegisteredHolder, ...]
    config_sha256: str
    chain_id: int | None = None
    safe_version: str | None = None
    safe: str | None = None
    threshold: int = 2

    @cached_property
    def bitcoin(self) -> MultisigWallet:
        # Kept on the instance: finding it in the shared cache hashes every field.
        return _bitcoin(self)

    def holder(self, holder_id: str) -> RegisteredHolder:
        for holder in self.holders:
            if holder.id == holder_id.upper():
                return holder
        raise BadInput("unknown_holder", f"holder {holder_id!r}: expected one of A, B, C")

    @property
    def owners(self) -> dict[str, str]:
        return {h.id: h.owner for h in self.holders}

    def document(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["holders"] = [asdict(h) for h in self.holders]
        return doc

    def with_safe(self, safe: str) -> RegisteredWallet:
        return replace(self, safe=safe)

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> RegisteredWallet:
        holders = tuple(RegisteredHolder(**h) for h in doc["holders"])
        return cls(**{**doc, "holders": holders})


_BITCOIN_CACHE: dict[RegisteredWallet, MultisigWallet] = {}


def _bitcoin(wallet: RegisteredWallet) -> MultisigWallet:
    """MultisigWallet validates and parses xpubs: build it once per registered wallet."""
    if wallet not in _BITCOIN_CACHE:
        _BITCOIN_CACHE[wallet] = MultisigWallet(
            name=wallet.name,
            network=wallet.network,
            cosigners=tuple(
                Cosigner(h.id, bytes.fromhex(h.fingerprint), h.xpub, h.path)
                for h in wallet.holders
            ),
            threshold=wallet.threshold,
        )
    return _BITCOIN_CACHE[wallet]


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


def wallet_summary(wallet: RegisteredWallet) -> dict[str, Any]:
    """The `wallet show` document (FORMATS.md), plus network and Ethereum fields."""
    bitcoin = wallet.bitcoin
    return {
        "name": wallet.name,
        "threshold": wallet.threshold,
        "holders": [
            {"id": h.id, "name": h.name, "token": h.token, "fingerprint": h.fingerprint,
             "xpub": h.xpub, "path": h.path, "owner": h.owner}
            for h in wallet.holders
        ],
        "descriptor": bitcoin.descriptor(None),
        "descriptors": {"receive": bitcoin.descriptor(0), "change": bitcoin.descriptor(1)},
        "network": wallet.network,
        "first_address": bitcoin.address(0, 0),
        "pool": {"receive": wallet.receive_keys, "change": wallet.change_keys},
        "ethereum": {"chain_id": wallet.chain_id, "safe_version": wallet.safe_version,
                     "safe": wallet.safe, "owners": wallet.owners},
        "config_sha256": wallet.config_sha256,
    }


def addresses(wallet: RegisteredWallet, change: bool, count: int) -> dict[str, Any]:
    """The `addresses` document: registered receive/change addresses and owner addresses."""
    if not 1 <= count <= 10_000:
        raise BadInput("bad_count", f"--count: expected 1..10000, got {count}")
    bitcoin = wallet.bitcoin
    receive = [bitcoin.address(0, i) for i in range(count)]
    change_list = [bitcoin.address(1, i) for i in range(count)] if change else []
    return {
        "bitcoin": {"network": wallet.network, "receive": receive, "change": change_list},
        "ethereum": {"owners": wallet.owners, "safe": wallet.safe},
    }
