"""The addresses holders already know, to flag a draft's look-alikes of them.

Known: the policy's allowlist, the registered Safe, the policy's token contracts, and every
destination a signed draft has paid (the risk ledger). Address poisoning plants an address
that shares the ends of one of these; a holder comparing the first and last characters
would pass it. Finding them costs one indexed range query per address, however long the
history (the ledger's primary key starts with the destination).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from signer.chains.address_text import ENDS, Lookalike, looks_alike, split_prefix
from signer.store import velocity
from signer.usecases.appliance import Appliance

# At most this many earlier destinations sharing an address's head are compared with it.
_HEAD_MATCHES = 100


@dataclass
class KnownAddresses:
    named: dict[str, str] = field(default_factory=dict)  # address -> what holders know it as
    conn: sqlite3.Connection | None = None  # for destinations paid before

    def add(self, addresses: Iterable[str], known_as: str) -> None:
        for address in addresses:
            self.named.setdefault(address, known_as)

    def lookalikes(self, addresses: Iterable[str]) -> list[Lookalike]:
        """Each address that resembles a known one without being it (once per address)."""
        found: list[Lookalike] = []
        for address in dict.fromkeys(addresses):
            match = self._named_match(address) or self._paid_before(address)
            if match is not None:
                found.append(match)
        return found

    def _named_match(self, address: str) -> Lookalike | None:
        if address.lower() in (k.lower() for k in self.named):
            return None  # it is a known address, not a look-alike of one
        for known, known_as in self.named.items():
            if looks_alike(address, known):
                return Lookalike(address, known, known_as)
        return None

    def _paid_before(self, address: str) -> Lookalike | None:
        if self.conn is None:
            return None
        prefix, body = split_prefix(address)
        head = (prefix + body[:ENDS]).lower()
        earlier = velocity.paid_starting_with(self.conn, head, _HEAD_MATCHES)
        if address.lower() in earlier:
            return None
        for known in earlier:
            if looks_alike(address, known):
                return Lookalike(address, known, "a destination paid before")
        return None


def known_addresses(app: Appliance) -> KnownAddresses:
    """What the holders of this home know: allowlist, Safe, tokens, destinations paid."""
    # Deferred: the policy and wallet modules are not needed until a draft is shown.
    from signer.usecases.policy import active_policy
    from signer.usecases.wallet import find_wallet

    known = KnownAddresses(conn=app.conn)
    wallet = find_wallet(app)
    if wallet is not None and wallet.safe:
        known.add([wallet.safe], "the registered Safe")
        known.add(wallet.owners.values(), "a Safe owner")
    policy = active_policy(app)
    if policy is not None:
        known.add(sorted(policy.allowlist or ()), "allowlisted")
        known.add([a.contract for a in policy.document.assets.values() if a.contract],
                  "a registered token contract")
    return known
