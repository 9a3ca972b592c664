"""The shares a recovery officer has gathered: sources, group progress and the combine step.

Progress follows ``shamir_mnemonic.RecoveryState`` (groups complete of groups needed,
shares entered of each group's threshold), which this wraps. Every error names the share
by number and source (its file, or "typed share 2") so the officer knows which card to check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shamir_mnemonic import MnemonicError, Share
from shamir_mnemonic.recovery import RecoveryState

from ceremony.cards import read_card
from ceremony.share_entry import check_share
from ceremony.shares import combine_shares
from signer.errors import BadInput
from signer.operator_files import read_small_file

MAX_SHARE_FILE_BYTES = 64 * 1024
_CARD_HOLDER = re.compile(r"^holder:\s*([A-Za-z])\s*$", re.MULTILINE)


@dataclass(frozen=True)
class ShareSource:
    """One share as given: where it came from (file or "typed share N") and its words."""

    name: str
    mnemonic: str
    card_holder: str | None = None  # the "holder:" line of a share card, when present

    def __repr__(self) -> str:  # the words are secret
        return f"ShareSource({self.name!r})"


@dataclass(frozen=True)
class ShareRef:
    """What the journal records of a share used: never its words."""

    identifier: int
    group: int  # 1-based
    index: int  # 1-based member index

    def as_json(self) -> dict[str, int]:
        return {"identifier": self.identifier, "group": self.group, "index": self.index}


@dataclass(frozen=True)
class GroupProgress:
    group: int  # 1-based
    entered: int
    threshold: int | None  # unknown until a share of the group is entered


@dataclass(frozen=True)
class Progress:
    groups_complete: int
    groups_needed: int | None
    groups: tuple[GroupProgress, ...]
    complete: bool

    def as_json(self) -> dict[str, Any]:
        return {"groups_complete": self.groups_complete, "groups_needed": self.groups_needed,
                "complete": self.complete,
                "groups": [{"group": g.group, "entered": g.entered, "threshold": g.threshold}
                           for g in self.groups]}


def read_share_file(path: Path, number: int) -> ShareSource:
    """A share card or a plain-text file of the words; unreadable files are BadInput."""
    where = f"share {number} ({path})"
    data = read_small_file(path, MAX_SHARE_FILE_BYTES, "share_file_unreadable", where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("share_file_unreadable", f"{where}: not UTF-8 text") from None
    holder = _CARD_HOLDER.search(text)
    return ShareSource(str(path), read_card(text, where),
                       holder.group(1).upper() if holder else None)


def load_sources(items: Sequence[ShareSource | Path]) -> list[ShareSource]:
    """Files are read here, so that an unreadable card fails the drill it was brought to."""
    return [read_share_file(item, n) if isinstance(item, Path) else item
            for n, item in enumerate(items, 1)]


class ShareSet:
    """Shares of one holder's backup, checked as they are added."""

    def __init__(self, holder: str | None = None) -> None:
        self.holder = holder
        self._state = RecoveryState()
        self._added: list[tuple[str, Share, str]] = []  # (where, share, normalised words)

    def add(self, source: ShareSource) -> ShareRef:
        """Check one share against the set so far; BadInput names the share and word."""
        where = f"share {len(self._added) + 1} ({source.name})"
        if self.holder and source.card_holder and source.card_holder != self.holder:
            raise BadInput("share_of_other_holder", f"{where}: the card says holder "
                           f"{source.card_holder}, this recovery is for holder {self.holder}")
        words = source.mnemonic.lower().split()
        status = check_share(words, where=where)
        if status.problem is not None:
            raise BadInput(status.problem.code, status.problem.message)
        if not status.complete:
            raise BadInput("bad_share_length", f"{where}: expected 20 words (128-bit secret) "
                           f"or 33 (256-bit), got {len(words)}")
        share = Share.from_mnemonic(" ".join(words))
        self._refuse_duplicate(where, share)
        self._refuse_other_set(where, share)
        self._added.append((where, share, " ".join(words)))
        return ShareRef(share.identifier, share.group_index + 1, share.index + 1)

    def _refuse_duplicate(self, where: str, share: Share) -> None:
        for other_where, other, _ in self._added:
            if share == other:
                raise BadInput("duplicate_share", f"{where} is the same share as {other_where}")
            if (share.identifier, share.group_index, share.index) == (
                other.identifier, other.group_index, other.index
            ):
                raise BadInput("duplicate_share", f"{where} and {other_where} are both member "
                               f"{share.index + 1} of group {share.group_index + 1} but differ: "
                               "one is mistyped or from another backup")

    def _refuse_other_set(self, where: str, share: Share) -> None:
        if not self._added:
            self._state.add_share(share)
            return
        first_where, first, _ = self._added[0]
        mine, theirs = share.common_parameters(), first.common_parameters()
        if mine != theirs:
            name = next(f for f, x, y in zip(mine._fields, mine, theirs, strict=True) if x != y)
            raise BadInput("shares_from_different_sets", f"{where} belongs to a different backup "
                           f"than {first_where}: its {name.replace('_', ' ')} is "
                           f"{getattr(share, name)}, not {getattr(first, name)}")
        try:
            self._state.add_share(share)
        except MnemonicError:
            raise BadInput("shares_from_different_sets", f"{where}: group "
                           f"{share.group_index + 1}'s shares disagree on the group's threshold: "
                           "they come from different backups") from None

    def progress(self) -> Progress:
        """Groups complete of groups needed, and shares entered of each group's threshold."""
        params = self._state.parameters
        if params is None:
            return Progress(0, None, (), False)
        groups = []
        for index in range(params.group_count):
            entered, threshold = self._state.group_status(index)
            groups.append(GroupProgress(index + 1, entered, threshold if entered else None))
        return Progress(self._state.groups_complete(), params.group_threshold, tuple(groups),
                        self._state.is_complete())

    def refs(self) -> tuple[ShareRef, ...]:
        return tuple(ShareRef(s.identifier, s.group_index + 1, s.index + 1)
                     for _, s, _ in self._added)

    def _check_counts(self) -> None:
        progress = self.progress()
        status = ", ".join(f"group {g.group}: {g.entered} of {g.threshold}"
                           for g in progress.groups if g.entered)
        if not progress.complete:
            raise BadInput("too_few_shares", f"too few shares: {progress.groups_needed or 1} "
                           f"complete group(s) needed, {progress.groups_complete} given "
                           f"({status or 'no shares'})")
        extra = [g for g in progress.groups if g.threshold and g.entered > g.threshold]
        if extra or len([g for g in progress.groups if g.entered]) > (progress.groups_needed or 0):
            raise BadInput("too_many_shares", f"too many shares ({status}): give exactly the "
                           "groups needed, each with exactly its threshold of shares, so that "
                           "every share given is used and checked")

    def combine(self, passphrase: bytes = b"") -> bytearray:
        """The master secret (the caller wipes it); BadInput if the set is not exactly enough."""
        self._check_counts()
        return combine_shares([words for _, _, words in self._added], passphrase)


def share_set(sources: Sequence[ShareSource], holder: str | None = None) -> ShareSet:
    """Every source added in order; the first bad one raises."""
    shares = ShareSet(holder)
    for source in sources:
        shares.add(source)
    return shares
