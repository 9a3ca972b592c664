"""Holder logins with the appliance's own lockout, quorum checks and journal checkpoints."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from signer.errors import BadInput, HsmError, LockedOut
from signer.hsm.token import TokenSession
from signer.store import audit_keys, journal, lockouts
from signer.store.audit import checkpoint_message
from signer.store.clock import iso
from signer.store.db import transaction
from signer.store.home import checked_holder
from signer.usecases.appliance import Appliance

AUDIT_KEY_LABEL = "airsign-audit"
PinReader = Callable[[str], str]


def login(app: Appliance, holder: str, pin: str, token: str | None = None) -> TokenSession:
    """Log ``holder`` into their token (or ``token``), enforcing and journaling the retry limit."""
    holder = holder.upper()
    label = token or app.token_label(holder)
    limit = app.home.config.settings.max_pin_failures
    if lockouts.state(app.conn, holder).locked:
        app.record("login_refused_locked", holder, {"holder": holder, "token": label})
        raise LockedOut(
            "holder_locked",
            f"holder {holder} is locked out after {limit} wrong PINs; two other holders must "
            f"run 'airsign tokens unlock {holder} --holders X,Y'",
        )
    try:
        session = app.gateway.login(label, pin)
    except HsmError as exc:
        if exc.code != "wrong_pin":
            raise
        left = _count_failure(app, holder, label, limit)
        # Same code and exit (5), and now how many tries remain: five identical messages
        # gave a holder no warning before the lockout (issue 18).
        if left == 0:
            note = (f"holder {holder} is now locked out after {limit} wrong PINs; two other "
                    f"holders must run 'airsign tokens unlock {holder} --holders X,Y'")
        else:
            note = lockouts.attempts_note(holder, left)
        raise HsmError("wrong_pin", f"{exc.message}: {note}") from None
    with transaction(app.conn):
        lockouts.reset(app.conn, holder)
        journal.append(app.conn, "login_ok", holder, {"holder": holder, "token": label}, app.clock)
    try:
        ensure_audit_key(app, holder, session)
    except BaseException:
        session.logout()
        raise
    return session


def _count_failure(app: Appliance, holder: str, label: str, limit: int) -> int:
    """Journal a wrong PIN; the attempts the holder has left."""
    with transaction(app.conn):
        state = lockouts.record_failure(app.conn, holder, limit, iso(app.clock()))
        journal.append(
            app.conn,
            "login_failed",
            holder,
            {"holder": holder, "token": label, "failures": state.failures, "limit": limit},
            app.clock,
        )
        if state.locked and state.failures == limit:
            journal.append(app.conn, "holder_locked", holder, {"holder": holder}, app.clock)
    return 0 if state.locked else max(limit - state.failures, 0)


def ensure_audit_key(app: Appliance, holder: str, session: TokenSession) -> bytes:
    """The holder's in-token Ed25519 key that signs journal checkpoints (made on first login)."""
    existing = [k for k in session.keys().values() if k.label == AUDIT_KEY_LABEL]
    key = existing[0] if existing else session.generate("ed25519", AUDIT_KEY_LABEL)
    public_hex = key.public_key.hex()
    if audit_keys.holder_of(app.conn, public_hex) is None:
        with transaction(app.conn):
            entry = journal.append(
                app.conn,
                "audit_key_registered",
                holder,
                {"holder": holder, "public_key": public_hex, "token": session.label},
                app.clock,
            )
            audit_keys.register(app.conn, holder, public_hex, entry.seq)
    return key.key_id


def checkpoint(app: Appliance, holder: str, session: TokenSession) -> journal.Entry:
    """Sign the journal head with the holder's audit key and append the checkpoint."""
    key_id = ensure_audit_key(app, holder, session)
    with transaction(app.conn):
        head_seq, head_hash = journal.head(app.conn)
        key = session.key(key_id)
        signature = session.sign_ed25519(key_id, checkpoint_message(head_seq, head_hash))
        return journal.append(
            app.conn,
            "checkpoint",
            holder,
            {
                "holder": holder,
                "head_seq": head_seq,
                "head_hash": head_hash,
                "public_key": key.public_key.hex(),
                "signature": signature.hex(),
            },
            app.clock,
        )


def distinct_holders(names: str | list[str], count: int, exclude: str | None = None) -> list[str]:
    """Parse ``A,B``: exactly ``count`` distinct holders, none equal to ``exclude``."""
    holders = [h.strip().upper() for h in (names.split(",") if isinstance(names, str) else names)]
    holders = [h for h in holders if h]
    if len(set(holders)) != len(holders):
        raise BadInput(
            "holders_not_distinct",
            f"--holders {','.join(holders)}: "
            "each holder may be named once; a quorum needs distinct holders",
        )
    if exclude and exclude.upper() in holders:
        raise BadInput(
            "holder_cannot_authorize_self",
            f"--holders: holder {exclude.upper()} cannot authorise an action on itself",
        )
    if len(holders) != count:
        raise BadInput(
            "quorum_size", f"--holders: expected {count} distinct holders, got {len(holders)}"
        )
    return [checked_holder(holder, "--holders:") for holder in holders]


@contextmanager
def holders_logged_in(
    app: Appliance,
    holders: list[str],
    read_pin: PinReader,
    tokens: dict[str, str] | None = None,
) -> Iterator[dict[str, TokenSession]]:
    """Log every holder in; at the end sign a checkpoint with the first and log all out.

    ``tokens`` overrides the registered holder-to-token mapping (ceremony, recovery).
    """
    holders = [checked_holder(holder) for holder in holders]  # before any PIN is asked
    sessions: dict[str, TokenSession] = {}
    try:
        for holder in holders:
            token = (tokens or {}).get(holder)
            sessions[holder] = login(app, holder, read_pin(holder), token)
        yield sessions
    finally:
        try:
            if sessions:
                first = next(iter(sessions))
                checkpoint(app, first, sessions[first])
        finally:
            for session in sessions.values():
                session.logout()


def unlock(app: Appliance, holder: str, authorizers: str, read_pin: PinReader) -> None:
    """Lift ``holder``'s lockout with the PIN logins of two other holders."""
    holder = holder.upper()
    app.token_label(holder)
    quorum = distinct_holders(authorizers, 2, exclude=holder)
    with holders_logged_in(app, quorum, read_pin), transaction(app.conn):
        lockouts.reset(app.conn, holder)
        journal.append(
            app.conn,
            "holder_unlocked",
            ",".join(quorum),
            {"holder": holder, "by": quorum},
            app.clock,
        )
