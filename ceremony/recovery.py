"""Restore an unreachable holder's keys from their SLIP-39 shares into a new, empty token.

Order: parse the shares and the authorisers (no HSM yet); log in the authorisers and
the target token; refuse a token that already holds airsign keys; combine, derive and
compare with the registered xpub and fingerprint; import the whole pool; move the
holder-to-token mapping and journal it in one transaction. The master secret exists
only between combining and deriving, the child keys only until imported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ceremony.derive import HolderKeys, derive_holder_keys
from ceremony.memory import wipe
from ceremony.preflight import refuse_used_token
from ceremony.share_set import ShareRef, ShareSet, ShareSource, load_sources, share_set
from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import AirsignError, BadInput
from signer.store import journal, registry
from signer.store.db import transaction
from signer.usecases import logins
from signer.usecases.appliance import Appliance
from signer.usecases.wallet import load_wallet

PassphraseReader = Callable[[str], bytes]
ACTOR = "recovery"


def authorizers_for(app: Appliance, holder: str, names: str | None) -> list[str]:
    """Other holders (at least ``settings.restore_authorizers``) who must log in."""
    needed = app.home.config.settings.restore_authorizers
    given = [n for n in (names or "").split(",") if n.strip()]
    if len(given) < needed:
        example = ",".join([h for h in "ABC" if h != holder][:needed])
        raise BadInput(
            "authorizers_needed",
            f"--holders: a restore of holder {holder} needs the PIN login of at least {needed} "
            f"other holder(s), got {len(given)}: name them, e.g. --holders {example}",
        )
    return logins.distinct_holders(given, len(given), exclude=holder)


def passphrase_for(holder: str, read_passphrase: PassphraseReader | None) -> bytes:
    return read_passphrase(holder) if read_passphrase is not None else b""


def mismatch_message(wallet: RegisteredWallet, holder: str, keys: HolderKeys) -> str:
    registered = wallet.holder(holder)
    rebuilt = keys.fingerprint.hex()
    others = [h.id for h in wallet.holders if h.fingerprint == rebuilt and h.id != holder]
    whose = f" (that is holder {others[0]}'s key: these are holder {others[0]}'s cards)" \
        if others else ""
    return (
        f"these shares do not restore holder {holder} of wallet {wallet.name}: they rebuild "
        f"a key with fingerprint {rebuilt}{whose}, holder {holder} is registered with "
        f"{registered.fingerprint}. If holder {holder}'s backup uses a SLIP-39 passphrase, a "
        f"wrong or missing passphrase is a possible cause (--passphrase, "
        f"AIRSIGN_PASSPHRASE_{holder})"
    )


def rebuild_keys(
    wallet: RegisteredWallet, holder: str, shares: ShareSet, passphrase: bytes,
    *, pool: bool = True,
) -> HolderKeys:
    """Combine and derive; the keys must be holder's registered ones. The caller wipes them."""
    registered = wallet.holder(holder)
    secret = shares.combine(passphrase)
    try:
        keys = derive_holder_keys(secret, wallet.network, wallet.account,
                                  wallet.receive_keys if pool else 0,
                                  wallet.change_keys if pool else 0)
    finally:
        wipe(secret)
    if (keys.xpub, keys.fingerprint.hex(), keys.owner_address) != (
        registered.xpub, registered.fingerprint, registered.owner
    ):
        message = mismatch_message(wallet, holder, keys)
        keys.wipe()
        raise BadInput("shares_do_not_restore", message)
    return keys


def _target_label(app: Appliance, holder: str, token: str | None) -> str:
    label = (token or "").strip()
    if not label:
        raise BadInput("token_needed", "--token: name the new, empty token to restore into "
                       "(or use --drill to only prove the shares)")
    for other, current in app.holder_tokens().items():
        if other != holder and current == label:
            raise BadInput("token_in_use", f"--token {label}: that is holder {other}'s token")
    return label


def _rescan(app: Appliance) -> None:
    """The new token was inserted, the lost one pulled, after the module loaded: both stay
    unseen until the module is re-initialised (which ends sessions: none are open yet)."""
    app.gateway.rescan()


def _record_restore(
    app: Appliance, wallet: RegisteredWallet, holder: str, label: str, previous: str,
    quorum: list[str], refs: tuple[ShareRef, ...], sources: Sequence[ShareSource], count: int,
) -> journal.Entry:
    """One transaction: the journal entry and the holder's new token mapping."""
    registered = wallet.holder(holder)
    with transaction(app.conn):
        entry = journal.append(
            app.conn, "holder_restored", ",".join(quorum),
            {"holder": holder, "wallet": wallet.name, "token": label, "previous_token": previous,
             "fingerprint": registered.fingerprint, "xpub": registered.xpub,
             "keys_imported": count, "authorized_by": quorum,
             "shares": [r.as_json() for r in refs], "share_files": [s.name for s in sources]},
            app.clock,
        )
        registry.assign_token(app.conn, holder, label, entry.seq)
    return entry


def restore_holder(
    app: Appliance, holder: str, given: Sequence[ShareSource | Path], token: str | None,
    authorizers: str | None, read_pin: logins.PinReader,
    read_passphrase: PassphraseReader | None = None,
) -> dict[str, Any]:
    """Restore ``holder`` into ``token``, authorised by other holders' logins; the summary."""
    wallet = load_wallet(app)
    holder = wallet.holder(holder).id
    refs: tuple[ShareRef, ...] = ()
    try:
        quorum = authorizers_for(app, holder, authorizers)
        label = _target_label(app, holder, token)
        sources = load_sources(given)
        shares = share_set(sources, holder)
        refs = shares.refs()
        passphrase = passphrase_for(holder, read_passphrase)
        previous = app.token_label(holder)
        _rescan(app)
        with logins.holders_logged_in(app, [*quorum, holder], read_pin,
                                      {holder: label}) as sessions:
            target = sessions[holder]
            refuse_used_token(target, "restore only into a freshly initialised token")
            keys = rebuild_keys(wallet, holder, shares, passphrase)
            try:
                for key in keys.pool:
                    target.import_secp256k1(key.secret, key.label)
            finally:
                keys.wipe()
            entry = _record_restore(app, wallet, holder, label, previous, quorum, refs,
                                    sources, len(keys.pool))
    except AirsignError as exc:
        app.record("restore_failed", ACTOR, {"holder": holder, "wallet": wallet.name,
                                             "code": exc.code,
                                             "shares": [r.as_json() for r in refs]})
        raise
    return {"holder": holder, "wallet": wallet.name, "drill": False, "token": label,
            "previous_token": previous, "keys_imported": len(keys.pool),
            "fingerprint": wallet.holder(holder).fingerprint, "xpub": wallet.holder(holder).xpub,
            "authorized_by": quorum, "shares": [r.as_json() for r in refs],
            "journal_seq": entry.seq}
