"""The claims stored drafts hold, as a kind asks for them (chains/kind.py ClaimHistory)."""

from __future__ import annotations

from signer.store import chain_nonces, drafts
from signer.usecases.appliance import Appliance


class StoredClaims:
    """Answered from the state database as it stands (inside the caller's transaction)."""

    def __init__(self, app: Appliance) -> None:
        self.app = app

    def recorded_counter(self, prefix: str) -> int:
        # A Safe's nonce claims: safe:<chain id>:<safe>:<nonce> (chains/ethereum).
        _, chain_id, safe, _ = prefix.split(":", 3)
        return recorded_nonce(self.app, safe, int(chain_id))

    def claimed(self, prefix: str) -> frozenset[str]:
        return frozenset(drafts.claims_with_prefix(self.app.conn, prefix))

    def pending(self, chain: str, prefix: str) -> frozenset[str]:
        return frozenset(drafts.pending_claims(self.app.conn, chain, prefix))


def recorded_nonce(app: Appliance, safe: str, chain_id: int) -> int:
    nonce = chain_nonces.recorded(app.conn, safe, chain_id)
    return 0 if nonce is None else nonce
