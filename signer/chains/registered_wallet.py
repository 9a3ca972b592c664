"""The registered 2-of-3 wallet's public data for every chain: holders, xpubs, the Safe.

It lives with the chains because each chain reads its own part (the Bitcoin multisig,
the Safe and its owners); the use cases load it from the store (usecases/wallet.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import cached_property
from typing import Any

from signer.chains.bitcoin.wallet import Cosigner, MultisigWallet
from signer.errors import BadInput


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


def summary_lines(doc: dict[str, Any]) -> list[str]:
    """`wallet show` in words."""
    lines = [f"wallet {doc['name']} ({doc['network']}), {doc['threshold']}-of-3",
             f"descriptor {doc['descriptor']}"]
    lines += [f"  {h['id']} {h['name']}: token {h['token']}, [{h['fingerprint']}{h['path'][1:]}]"
              f" {h['xpub']}, owner {h['owner']}" for h in doc["holders"]]
    lines.append(f"Safe: {doc['ethereum']['safe'] or 'not registered'}")
    return lines


def address_lines(doc: dict[str, Any]) -> list[str]:
    """`addresses` in words."""
    lines = [f"receive {i}: {a}" for i, a in enumerate(doc["bitcoin"]["receive"])]
    lines += [f"change {i}: {a}" for i, a in enumerate(doc["bitcoin"]["change"])]
    lines += [f"owner {h}: {a}" for h, a in doc["ethereum"]["owners"].items()]
    lines.append(f"Safe: {doc['ethereum']['safe'] or 'not registered'}")
    return lines


def dashboard_lines(doc: dict[str, Any]) -> list[str]:
    """The wallet on the TUI's dashboard: the first address in full, the Safe."""
    eth = doc["ethereum"]
    safe = (f"Safe {eth['safe']} (chain {eth['chain_id']}, v{eth['safe_version']})"
            if eth["safe"] else "Safe: not registered (wallet set-safe)")
    return [f"Wallet {doc['name']} ({doc['network']}), "
            f"{doc['threshold']}-of-{len(doc['holders'])}; first address:",
            f"  {doc['first_address']}", f"  {safe}"]
