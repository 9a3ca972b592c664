"""Backup drills: prove a holder's shares still rebuild the registered key, import nothing.

A drill needs no token and no PIN: it changes nothing but the journal, and whoever holds
enough shares can combine them on any computer anyway. What it proves is custody: the
custodians still have readable cards that rebuild exactly the registered xpub. A restore
proves the same, so it also counts as the holder's latest successful drill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ceremony.recovery import ACTOR, PassphraseReader, passphrase_for, rebuild_keys
from ceremony.share_set import ShareRef, ShareSource, load_sources, share_set
from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import AirsignError
from signer.store import journal
from signer.store.home import HOLDER_IDS
from signer.usecases.appliance import Appliance
from signer.usecases.wallet import find_wallet, load_wallet

PROOF_KINDS = ("drill_passed", "holder_restored")


def run_drill(
    app: Appliance, holder: str, sources: Sequence[ShareSource | Path],
    read_passphrase: PassphraseReader | None = None,
) -> dict[str, Any]:
    """Check the shares against holder's registered key; journal drill_passed or drill_failed."""
    wallet = load_wallet(app)
    holder = wallet.holder(holder).id
    refs: tuple[ShareRef, ...] = ()
    try:
        shares = share_set(load_sources(sources), holder)
        refs = shares.refs()
        rebuild_keys(wallet, holder, shares, passphrase_for(holder, read_passphrase),
                     pool=False).wipe()
    except AirsignError as exc:
        app.record("drill_failed", ACTOR, {"holder": holder, "wallet": wallet.name,
                                           "code": exc.code, "shares_given": len(sources),
                                           "shares": [r.as_json() for r in refs]})
        raise
    today = app.clock().date().isoformat()
    fingerprint = wallet.holder(holder).fingerprint
    entry = app.record("drill_passed", ACTOR, {
        "holder": holder, "wallet": wallet.name, "fingerprint": fingerprint, "date": today,
        "shares": [r.as_json() for r in refs]})
    return {"holder": holder, "wallet": wallet.name, "drill": True, "passed": True,
            "date": today, "fingerprint": fingerprint, "shares": [r.as_json() for r in refs],
            "journal_seq": entry.seq}


@dataclass(frozen=True)
class DrillStatus:
    """What the dashboard shows per holder."""

    holder: str
    last: str | None  # date (YYYY-MM-DD) of the last proof of the shares
    days: int | None  # days since then; None: never drilled
    stale: bool  # never drilled, or longer ago than settings.drill_stale_days

    def as_json(self) -> dict[str, Any]:
        return {"holder": self.holder, "last": self.last, "days": self.days, "stale": self.stale}


def _last_proofs(app: Appliance, wallet: RegisteredWallet) -> dict[str, date]:
    """Per holder, the date of the latest drill or restore for the registered key."""
    fingerprints = {h.id: h.fingerprint for h in wallet.holders}
    last: dict[str, date] = {}
    for kind in PROOF_KINDS:
        for entry in journal.entries(app.conn, kind=kind):
            holder = entry.data.get("holder")
            if (holder in fingerprints and entry.data.get("wallet") == wallet.name
                    and entry.data.get("fingerprint") == fingerprints[holder]):
                when = date.fromisoformat(entry.time[:10])
                last[holder] = max(when, last.get(holder, when))
    return last


def days_since_drills(app: Appliance) -> dict[str, int | None]:
    """Days since each holder's last successful drill (or restore); None if never."""
    return {h: s.days for h, s in drill_status(app).items()}


def drill_status(app: Appliance) -> dict[str, DrillStatus]:
    """Per holder: last proof, days since, and whether it is stale."""
    wallet = find_wallet(app)
    last = _last_proofs(app, wallet) if wallet else {}
    today = app.clock().date()
    limit = app.home.config.settings.drill_stale_days
    status = {}
    for holder in HOLDER_IDS:
        when = last.get(holder)
        days = (today - when).days if when else None
        status[holder] = DrillStatus(holder, when.isoformat() if when else None, days,
                                     days is None or days > limit)
    return status
