"""SLIP-39: split a holder's master secret into share cards, and combine shares back.

Combining checks the shares one by one before ``shamir_mnemonic`` sees them, so that a
recovery officer learns which share and which word is wrong, not just that something is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from shamir_mnemonic import MnemonicError, Share, combine_mnemonics, generate_mnemonics
from shamir_mnemonic import shamir as _shamir
from shamir_mnemonic.wordlist import WORD_INDEX_MAP

from ceremony.cards import ShareCard, render_card, write_cards
from ceremony.config import Backup
from ceremony.typos import checksum_repairs, not_a_word
from signer.errors import BadInput

__all__ = ["ShareCard", "combine_shares", "render_card", "split_secret", "write_cards"]


def _check_passphrase(passphrase: bytes) -> None:
    if not all(32 <= c <= 126 for c in passphrase):
        raise BadInput("bad_passphrase", "passphrase: expected printable ASCII characters only")


@contextmanager
def _randomness(random_bytes: Callable[[int], bytes] | None) -> Iterator[None]:
    # shamir_mnemonic draws from a module-level source (its documented test hook).
    if random_bytes is None:
        yield
        return
    saved = _shamir.RANDOM_BYTES
    _shamir.RANDOM_BYTES = random_bytes
    try:
        yield
    finally:
        _shamir.RANDOM_BYTES = saved


def split_secret(
    master_secret: bytes | bytearray,
    backup: Backup,
    *,
    wallet: str,
    holder: str,
    fingerprint: bytes,
    passphrase: bytes = b"",
    random_bytes: Callable[[int], bytes] | None = None,
) -> tuple[ShareCard, ...]:
    """One share card per custodian of ``backup``, in group order then member order."""
    _check_passphrase(passphrase)
    if backup.passphrase != bool(passphrase):
        expected = "a passphrase" if backup.passphrase else "no passphrase"
        raise BadInput("bad_passphrase", f"holder {holder}: backup.passphrase: expected {expected}")
    groups = [(g.threshold, g.count) for g in backup.groups]
    with _randomness(random_bytes):
        mnemonics = generate_mnemonics(
            backup.group_threshold, groups, master_secret, passphrase
        )
    cards = []
    for g, (group, members) in enumerate(zip(backup.groups, mnemonics, strict=True)):
        for m, (custodian, mnemonic) in enumerate(zip(group.custodians, members, strict=True)):
            share = Share.from_mnemonic(mnemonic)
            cards.append(
                ShareCard(
                    wallet=wallet,
                    holder=holder,
                    fingerprint=fingerprint,
                    custodian=custodian,
                    group=g + 1,
                    group_count=len(backup.groups),
                    group_threshold=backup.group_threshold,
                    index=m + 1,
                    member_count=group.count,
                    member_threshold=group.threshold,
                    identifier=share.identifier,
                    words=tuple(mnemonic.split()),
                )
            )
    return tuple(cards)


def _parse_share(number: int, mnemonic: str) -> Share:
    words = mnemonic.lower().split()
    where = f"share {number}"
    if not words:
        raise BadInput("bad_share", f"{where}: expected SLIP-39 words, got an empty share")
    for position, word in enumerate(words, 1):
        if word not in WORD_INDEX_MAP:
            raise BadInput("bad_share_word", not_a_word(where, position, word)[0])
    try:
        return Share.from_mnemonic(" ".join(words))
    except MnemonicError as exc:
        text = str(exc)
    if "checksum" in text:
        fixes = [f"word {n} {was!r} -> {fix!r}" for n, was, fix in checksum_repairs(words)]
        tip = f"; a single mistyped word would explain it: {', '.join(fixes)}" if fixes else ""
        raise BadInput(
            "bad_share_checksum",
            f"{where}: checksum is wrong (a word is mistyped or two are swapped){tip}",
        )
    if "padding" in text:
        raise BadInput(
            "bad_share_padding",
            f"{where}: the words do not encode a whole secret (padding): a word is mistyped",
        )
    if "length" in text:
        raise BadInput(
            "bad_share_length",
            f"{where}: expected 20 words (128-bit secret) or 33 (256-bit), got {len(words)}",
        )
    if "Group threshold" in text:
        raise BadInput(
            "bad_share", f"{where}: its group threshold exceeds its group count: it is corrupted"
        )
    raise BadInput("bad_share", f"{where}: {text}")


def _describe_group(share: Share) -> str:
    return f"group {share.group_index + 1}"


def _check_set(shares: list[Share]) -> None:
    first = shares[0]
    for n, share in enumerate(shares, 1):
        for m, other in enumerate(shares[: n - 1], 1):
            if share == other:
                raise BadInput("duplicate_share", f"share {n} is the same share as share {m}")
            if (share.identifier, share.group_index, share.index) == (
                other.identifier, other.group_index, other.index
            ):
                raise BadInput(
                    "duplicate_share",
                    f"shares {m} and {n} are both member {share.index + 1} of "
                    f"{_describe_group(share)} but differ: one is mistyped or from another set",
                )
        mine, theirs = share.common_parameters(), first.common_parameters()
        if mine != theirs:
            field = next(f for f, x, y in zip(mine._fields, mine, theirs, strict=True) if x != y)
            raise BadInput(
                "shares_from_different_sets",
                f"share {n} belongs to a different backup than share 1: its "
                f"{field.replace('_', ' ')} is {getattr(share, field)}, "
                f"share 1's is {getattr(first, field)}",
            )
    _check_counts(shares)


def _check_counts(shares: list[Share]) -> None:
    groups: dict[int, list[Share]] = {}
    for share in shares:
        groups.setdefault(share.group_index, []).append(share)
    needed = shares[0].group_threshold
    for members in groups.values():
        thresholds = {s.member_threshold for s in members}
        if len(thresholds) > 1:
            raise BadInput(
                "shares_from_different_sets",
                f"{_describe_group(members[0])}: shares disagree on the group's threshold",
            )
    complete = [g for g, m in groups.items() if len(m) >= m[0].member_threshold]
    if len(complete) < needed:
        status = ", ".join(
            f"group {g + 1}: {len(m)} of {m[0].member_threshold} shares"
            for g, m in sorted(groups.items())
        )
        raise BadInput(
            "too_few_shares",
            f"too few shares: {needed} complete group(s) needed, {len(complete)} given ({status})",
        )
    extra = [g for g, m in groups.items() if len(m) > m[0].member_threshold]
    if len(groups) > needed or extra:
        raise BadInput(
            "too_many_shares",
            f"too many shares: give exactly {needed} group(s) with exactly each group's "
            "threshold of shares, so that every share given is used and checked",
        )


def combine_shares(mnemonics: Sequence[str], passphrase: bytes = b"") -> bytearray:
    """The master secret from SLIP-39 shares; every failure is a BadInput naming the share."""
    _check_passphrase(passphrase)
    if not mnemonics:
        raise BadInput("too_few_shares", "shares: expected at least one share, got none")
    shares = [_parse_share(n, m) for n, m in enumerate(mnemonics, 1)]
    _check_set(shares)
    normalised = [" ".join(m.lower().split()) for m in mnemonics]
    try:
        return bytearray(combine_mnemonics(normalised, passphrase))
    except MnemonicError as exc:
        if "digest" in str(exc):
            raise BadInput(
                "shares_do_not_match",
                "the shares are well-formed but do not combine (digest check failed): "
                "one was altered or comes from another backup",
            ) from None
        raise BadInput("bad_shares", f"shares: {exc}") from None
    except ValueError as exc:
        raise BadInput("bad_shares", f"shares: {exc}") from None
