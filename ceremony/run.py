"""Ceremony day: keys into three tokens, share cards, the registered wallet and its exports.

Order matters. Everything that can be checked without the HSM is checked first;
secrets live only between mixing and import and are wiped in ``finally``; the
wallet is registered (with its journal entry, in one transaction) only after
every key is imported and proven and every card and export is on disk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceremony import preflight, transcript
from ceremony.cards import ShareCard, render_card, write_cards
from ceremony.config import CeremonyPlan, Holder, read_ceremony_file
from ceremony.derive import HolderKeys, derive_holder_keys
from ceremony.entropy import EntropyRecord, mix_entropy
from ceremony.memory import wipe
from ceremony.shares import split_secret
from ceremony.wallet_files import ceremony_exports
from signer.chains.registered_wallet import RegisteredHolder, RegisteredWallet
from signer.errors import BadInput
from signer.hsm.token import TokenSession
from signer.store import journal, registry
from signer.store.clock import iso
from signer.store.db import transaction
from signer.store.files import write_new
from signer.usecases import logins
from signer.usecases.appliance import Appliance

HSM_RANDOM_BYTES = 64
PassphraseReader = Callable[[str], bytes]


@dataclass(frozen=True)
class CeremonyOptions:
    shares_dir: Path
    export_dir: Path
    dice: str | None = None
    new_wallet: bool = False


@dataclass(frozen=True)
class HolderOutcome:
    """What one holder's part of the ceremony produced (public data only)."""

    registered: RegisteredHolder
    cards: tuple[ShareCard, ...]
    entropy: EntropyRecord
    keys_imported: int


def run_ceremony(
    app: Appliance,
    plan_path: Path,
    options: CeremonyOptions,
    read_pin: logins.PinReader,
    read_passphrase: PassphraseReader,
) -> dict[str, Any]:
    """Run the whole ceremony; returns the summary document."""
    plan, config_sha256 = read_ceremony_file(plan_path)
    if registry.active_wallet(app.conn) is not None and not options.new_wallet:
        raise BadInput(
            "wallet_exists",
            "a wallet is already registered; a second ceremony needs --new-wallet",
        )
    preflight.check_outputs(plan, options.shares_dir, options.export_dir)
    passphrases = {h.id: read_passphrase(h.id) if h.backup.passphrase else b"" for h in plan.holder}
    started = iso(app.clock())
    app.record("ceremony_started", "ceremony", {"wallet": plan.wallet,
                                                "config_sha256": config_sha256})
    tokens: dict[str, str] = {h.id: h.token for h in plan.holder}
    with logins.holders_logged_in(app, list(tokens), read_pin, tokens) as sessions:
        for holder in plan.holder:
            preflight.refuse_used_token(sessions[holder.id],
                                        "a ceremony needs freshly initialised tokens")
        outcomes = [
            _make_holder(app, plan, holder, sessions[holder.id], passphrases[holder.id],
                         options.dice)
            for holder in plan.holder
        ]
        wallet = _registered_wallet(plan, outcomes, config_sha256)
        files = _write_outputs(app, plan, wallet, outcomes, options, sessions, started)
        _register(app, wallet, outcomes, files, config_sha256)
    return {
        "wallet": wallet.name,
        "config_sha256": config_sha256,
        "descriptor": wallet.bitcoin.descriptor(None),
        "first_address": wallet.bitcoin.address(0, 0),
        "holders": [
            {"id": o.registered.id, "fingerprint": o.registered.fingerprint,
             "xpub": o.registered.xpub, "owner": o.registered.owner, "keys": o.keys_imported,
             "cards": [c.file_name for c in o.cards]}
            for o in outcomes
        ],
        "files": files,
    }


def _make_holder(
    app: Appliance, plan: CeremonyPlan, holder: Holder, session: TokenSession,
    passphrase: bytes, dice: str | None,
) -> HolderOutcome:
    """Mix entropy, derive, split and import one holder's keys; wipe the secret."""
    hsm_random = app.gateway.random(holder.token, HSM_RANDOM_BYTES)
    secret, record = mix_entropy(hsm_random, secret_bytes=plan.master_secret_bytes, dice=dice)
    keys: HolderKeys | None = None
    try:
        bitcoin = plan.bitcoin
        keys = derive_holder_keys(
            secret, bitcoin.network, bitcoin.account, bitcoin.receive_keys, bitcoin.change_keys
        )
        cards = split_secret(secret, holder.backup, wallet=plan.wallet, holder=holder.id,
                             fingerprint=keys.fingerprint, passphrase=passphrase)
        for key in keys.pool:
            session.import_secp256k1(key.secret, key.label)
        registered = RegisteredHolder(
            id=holder.id, name=holder.name, token=holder.token,
            fingerprint=keys.fingerprint.hex(), xpub=keys.xpub, path=keys.account_path,
            owner=keys.owner_address,
        )
        return HolderOutcome(registered, cards, record, len(keys.pool))
    finally:
        wipe(secret)
        if keys is not None:
            keys.wipe()


def _registered_wallet(
    plan: CeremonyPlan, outcomes: list[HolderOutcome], config_sha256: str
) -> RegisteredWallet:
    ethereum = plan.ethereum
    return RegisteredWallet(
        name=plan.wallet, network=plan.bitcoin.network, account=plan.bitcoin.account,
        receive_keys=plan.bitcoin.receive_keys, change_keys=plan.bitcoin.change_keys,
        holders=tuple(o.registered for o in outcomes), config_sha256=config_sha256,
        chain_id=ethereum.chain_id if ethereum else None,
        safe_version=ethereum.safe_version if ethereum else None,
        safe=ethereum.safe_address if ethereum else None,
    )


def _write_outputs(
    app: Appliance, plan: CeremonyPlan, wallet: RegisteredWallet,
    outcomes: list[HolderOutcome], options: CeremonyOptions,
    sessions: dict[str, TokenSession], started: str,
) -> dict[str, str]:
    """Share cards, standard exports and the signed transcript; returns name -> sha256."""
    written: dict[str, str] = {}
    for outcome in outcomes:
        paths = write_cards(outcome.cards, options.shares_dir)
        for card, path in zip(outcome.cards, paths, strict=True):
            # Hashed from the text just written, never read back from the card file.
            written[str(path)] = hashlib.sha256(render_card(card).encode("utf-8")).hexdigest()
    exports = ceremony_exports(wallet)
    body = {
        "wallet": wallet.document(),
        "descriptor": wallet.bitcoin.descriptor(None),
        "first_addresses": {"receive": wallet.bitcoin.address(0, 0),
                            "change": wallet.bitcoin.address(1, 0)},
        "entropy": {o.registered.id: _entropy_json(o.entropy) for o in outcomes},
        "share_sets": {o.registered.id: sorted({c.identifier for c in o.cards})
                       for o in outcomes},
        "exports": {name: hashlib.sha256(text.encode()).hexdigest()
                    for name, text in exports.items()},
        "started": started,
        "finished": iso(app.clock()),
    }
    signers = {h: (s, logins.ensure_audit_key(app, h, s)) for h, s in sessions.items()}
    signed = transcript.sign_transcript(body, signers)
    exports[preflight.TRANSCRIPT_NAME.format(name=plan.wallet)] = (
        json.dumps(signed, indent=2, sort_keys=True) + "\n"
    )
    for name, text in exports.items():
        path = write_new(options.export_dir / name, text.encode())
        written[str(path)] = hashlib.sha256(text.encode()).hexdigest()
    return written


def _entropy_json(record: EntropyRecord) -> dict[str, Any]:
    return {"hsm_sha256": record.hsm_sha256, "hsm_bytes": record.hsm_bytes,
            "os_sha256": record.os_sha256, "os_bytes": record.os_bytes,
            "dice_sha256": record.dice_sha256, "dice_rolls": record.dice_rolls}


def _register(
    app: Appliance, wallet: RegisteredWallet, outcomes: list[HolderOutcome],
    files: dict[str, str], config_sha256: str,
) -> None:
    """One transaction: the wallet, the holder tokens and the journal entry."""
    with transaction(app.conn):
        entry = journal.append(
            app.conn, "ceremony_completed", "ceremony",
            {"wallet": wallet.name, "config_sha256": config_sha256,
             "descriptor": wallet.bitcoin.descriptor(None),
             "holders": {o.registered.id: {"fingerprint": o.registered.fingerprint,
                                           "xpub": o.registered.xpub,
                                           "owner": o.registered.owner,
                                           "token": o.registered.token,
                                           "keys_imported": o.keys_imported,
                                           "entropy": _entropy_json(o.entropy),
                                           "share_identifiers": sorted(
                                               {c.identifier for c in o.cards})}
                         for o in outcomes},
             "files": files},
            app.clock,
        )
        registry.register_wallet(app.conn, wallet.document(), entry.seq)
        for outcome in outcomes:
            registry.assign_token(app.conn, outcome.registered.id, outcome.registered.token,
                                  entry.seq)
