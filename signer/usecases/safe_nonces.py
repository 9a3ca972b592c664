"""The Safe's nonce as holders record it from the chain (`wallet safe-nonce`), and the
nonce state the Safe kind judges drafts by (the rule itself: chains/ethereum/nonces.py)."""

from __future__ import annotations

import re

from signer.chains.ethereum.draft_ops import safe_nonce_state
from signer.chains.ethereum.nonces import NonceState
from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import BadInput, Rejected
from signer.store import chain_nonces, journal
from signer.store.db import transaction
from signer.usecases import logins
from signer.usecases.appliance import Appliance
from signer.usecases.claim_history import StoredClaims
from signer.usecases.wallet import load_wallet

# The recorded nonce is a SQLite INTEGER (64-bit signed). A Safe's nonce grows by one per
# executed transaction, so this is no limit in practice; above it was an internal error.
NONCE_MAX = 2**63 - 1
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,77}")


def nonce_state(app: Appliance, wallet: RegisteredWallet, at_import: bool) -> NonceState | None:
    """The registered Safe's nonces as they stand; ``at_import``: stored drafts that may
    still be signed fill the run up to a new draft's nonce (a vault hands over 5, 6, 7 at
    once; each is checked strictly again when signed)."""
    if wallet.safe is None or wallet.chain_id is None:
        return None
    return safe_nonce_state(StoredClaims(app), wallet, at_import)


def parse_nonce(text: str | int, where: str) -> int:
    # Plain ASCII digits only: int() would also take "+5", " 5", "1_0" and other scripts'
    # digits, none of which is what a holder read from the chain.
    digits = str(text)
    value = int(digits) if _DECIMAL.fullmatch(digits) else -1
    if not 0 <= value <= NONCE_MAX:
        raise BadInput("bad_nonce", f"{where} {text!r}: expected the Safe's current nonce, "
                       "a whole number 0 or more (read it from the chain: nonce())")
    return value


def write_recorded(app: Appliance, safe: str, chain_id: int, nonce: int, seq: int) -> None:
    """Inside the caller's transaction, beside journal entry ``seq``."""
    chain_nonces.record(app.conn, safe, chain_id, nonce, seq)


def record_chain_nonce(
    app: Appliance, nonce_text: str, holders: str, reason: str, read_pin: logins.PinReader
) -> dict[str, object]:
    """Two holders record that the Safe's nonce on chain moved to N (e.g. a cancellation
    executed elsewhere). Never below a nonce signed and not abandoned: those drafts are
    abandoned first, so that nothing signed is silently assumed dead."""
    written = reason.strip()
    if not written:
        raise BadInput("reason_missing", "--reason: a written reason is required")
    nonce = parse_nonce(nonce_text, "wallet safe-nonce")
    wallet = load_wallet(app)
    if wallet.safe is None or wallet.chain_id is None:
        raise BadInput("no_safe_registered", "no Safe address is registered: "
                       "run 'airsign wallet set-safe ADDRESS --holders H,H'")
    safe, chain_id = wallet.safe, wallet.chain_id
    quorum = logins.distinct_holders(holders, 2)
    with logins.holders_logged_in(app, quorum, read_pin), transaction(app.conn):
        state = nonce_state(app, wallet, at_import=False)
        assert state is not None
        highest = max(state.claimed, default=-1)
        if nonce <= highest:
            raise Rejected("nonce_below_signed", f"nonce {nonce}: nonce {highest} is signed "
                           "and not abandoned; abandon the drafts at or above "
                           f"{nonce} first ('airsign abandon ID --holders H,H --reason ...')")
        previous = state.recorded
        entry = journal.append(app.conn, "safe_nonce_recorded", ",".join(quorum),
                               {"safe": safe, "chain_id": chain_id, "nonce": nonce,
                                "previous": previous, "by": quorum, "reason": written},
                               app.clock)
        write_recorded(app, safe, chain_id, nonce, entry.seq)
    return {"safe": safe, "chain_id": chain_id, "nonce": nonce, "previous": previous,
            "expected": max(nonce, highest + 1), "by": quorum, "reason": written}
