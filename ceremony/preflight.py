"""Everything checked before the first PKCS#11 call of a ceremony."""

from __future__ import annotations

import os
from pathlib import Path

from ceremony.config import CeremonyPlan
from ceremony.wallet_files import FILE_NAMES
from signer.errors import BadInput
from signer.hsm.token import TokenSession

TRANSCRIPT_NAME = "{name}-transcript.json"


def card_names(plan: CeremonyPlan) -> list[str]:
    """The share card file names the ceremony will write (``<holder>-g<group>-<n>.txt``)."""
    names = []
    for holder in plan.holder:
        for g, group in enumerate(holder.backup.groups, start=1):
            names += [f"{holder.id}-g{g}-{n}.txt" for n in range(1, group.count + 1)]
    return names


def export_names(plan: CeremonyPlan) -> list[str]:
    formats = [f for f in FILE_NAMES if f != "safe-owners" or plan.ethereum is not None]
    names = [FILE_NAMES[f].format(name=plan.wallet) for f in formats]
    return [*names, TRANSCRIPT_NAME.format(name=plan.wallet)]


def _writable_directory(path: Path, option: str) -> None:
    if not path.is_dir() or path.is_symlink():
        raise BadInput("bad_directory", f"{option} {path}: expected an existing directory")
    if not os.access(path, os.W_OK):
        raise BadInput("bad_directory", f"{option} {path}: directory is not writable")


def check_outputs(plan: CeremonyPlan, shares_dir: Path, export_dir: Path) -> None:
    """Directories exist and no file the ceremony writes is already there."""
    _writable_directory(shares_dir, "--shares-dir")
    _writable_directory(export_dir, "--export-dir")
    planned = [shares_dir / n for n in card_names(plan)] + [
        export_dir / n for n in export_names(plan)
    ]
    existing = [str(p) for p in planned if os.path.lexists(p)]
    if existing:
        raise BadInput(
            "output_exists",
            f"ceremony outputs already exist ({', '.join(existing[:5])}"
            f"{', …' if len(existing) > 5 else ''}); outputs are never overwritten",
        )


def refuse_used_token(session: TokenSession, advice: str) -> None:
    """Keys go only into a token that holds no airsign key yet: never "topped up"."""
    used = sorted(k.label for k in session.keys().values() if k.label.startswith("m/"))
    if used:
        raise BadInput(
            "token_not_empty",
            f"token {session.label!r} already holds {len(used)} airsign key(s) ({used[0]}, …): "
            f"{advice}",
        )
