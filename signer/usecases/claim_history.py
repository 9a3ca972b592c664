"""The claims stored drafts hold, as a kind asks for them (chains/kind.py ClaimHistory)."""

from __future__ import annotations

from signer.store import drafts
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

    def pending(self, prefix: str) -> frozenset[str]:
        return frozenset(drafts.pending_claims(self.app.conn, prefix))


def recorded_nonce(app: Appliance, safe: str, chain_id: int) -> int:
    row = app.conn.execute(
        "SELECT nonce FROM safe_nonces WHERE chain_id = ? AND safe = ? ORDER BY seq DESC "
        "LIMIT 1", (chain_id, safe.lower())).fetchone()
    return 0 if row is None else int(row[0])
