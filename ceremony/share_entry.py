"""Typing a SLIP-39 share word by word: completions, per-word checks and per-share status.

A recovery wizard calls ``check_share`` after every word. The header (set identifier,
group, member index, thresholds) lives in the first four words, so the officer sees
which card they are typing long before the checksum can be checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shamir_mnemonic import MnemonicError, Share
from shamir_mnemonic.wordlist import WORD_INDEX_MAP, WORDLIST

from ceremony.typos import checksum_repairs, not_a_word, suggestions

SHORT_SHARE_WORDS = 20  # 128-bit master secret
LONG_SHARE_WORDS = 33  # 256-bit master secret
_HEADER_WORDS = 4


def word_suggestions(prefix: str, limit: int = 8) -> list[str]:
    """Wordlist words starting with ``prefix``; if none, the words it is closest to."""
    typed = prefix.strip().lower()
    if not typed:
        return []
    completions = [w for w in WORDLIST if w.startswith(typed)]
    return (completions or suggestions(typed))[:limit]


@dataclass(frozen=True)
class WordProblem:
    """Why a share is not accepted; ``position`` is the 1-based word number when known."""

    code: str
    message: str
    position: int | None = None
    word: str | None = None
    suggestions: tuple[str, ...] = ()
    repairs: tuple[tuple[int, str, str], ...] = ()  # (position, typed, proposed)


@dataclass(frozen=True)
class ShareStatus:
    """What can be said about the words typed so far (no secret material)."""

    words: int
    complete: bool  # a whole share whose checksum is valid
    checksum_valid: bool | None  # None until the share is long enough to check
    identifier: int | None = None
    group: int | None = None  # 1-based
    group_count: int | None = None
    group_threshold: int | None = None
    index: int | None = None  # 1-based member index within the group
    member_threshold: int | None = None
    problem: WordProblem | None = None

    @property
    def valid(self) -> bool:
        return self.complete and self.problem is None


def _header(indices: list[int]) -> dict[str, int]:
    """SLIP-39 header: 15-bit id, extendable flag, 4-bit exponent, then five 4-bit fields."""
    id_exp = indices[0] << 10 | indices[1]
    params = indices[2] << 10 | indices[3]
    return {
        "identifier": id_exp >> 5,
        "group": (params >> 16) + 1,
        "group_threshold": ((params >> 12) & 0xF) + 1,
        "group_count": ((params >> 8) & 0xF) + 1,
        "index": ((params >> 4) & 0xF) + 1,
        "member_threshold": (params & 0xF) + 1,
    }


def _unknown_word(words: list[str], where: str) -> WordProblem | None:
    for position, word in enumerate(words, 1):
        if word not in WORD_INDEX_MAP:
            message, hint = not_a_word(where, position, word)
            return WordProblem("bad_share_word", message, position, word, hint)
    return None


def _header_problem(header: dict[str, int], where: str) -> WordProblem | None:
    if header["group_threshold"] > header["group_count"]:
        return WordProblem("bad_share", f"{where}: words 3-4 say the group threshold exceeds "
                           "the group count: one of them is mistyped", 3)
    if header["group"] > header["group_count"]:
        return WordProblem("bad_share", f"{where}: words 3-4 give a group number above the "
                           "group count: one of them is mistyped", 3)
    return None


def _full_check(words: list[str], where: str) -> WordProblem | None:
    try:
        Share.from_mnemonic(" ".join(words))
    except MnemonicError as exc:
        text = str(exc)
    else:
        return None
    if "checksum" in text:
        repairs = tuple(checksum_repairs(words))
        fixes = ", ".join(f"word {n} {was!r} -> {fix!r}" for n, was, fix in repairs)
        tip = f"; a single mistyped word would explain it: {fixes}" if repairs else ""
        only = repairs[0] if len(repairs) == 1 else None
        return WordProblem(
            "bad_share_checksum",
            f"{where}: checksum is wrong (a word is mistyped or two are swapped){tip}",
            only[0] if only else None, only[1] if only else None,
            (only[2],) if only else (), repairs,
        )
    if "padding" in text:
        return WordProblem("bad_share_padding", f"{where}: the words do not encode a whole "
                           "secret (padding bits are set): a word is mistyped")
    return WordProblem("bad_share", f"{where}: {text}")


def check_share(
    words: Sequence[str], expected_words: int | None = None, where: str = "share"
) -> ShareStatus:
    """Check the words typed so far; never raises (the problem is in the status)."""
    typed = [w.strip().lower() for w in words if w.strip()]
    count = len(typed)
    problem = _unknown_word(typed, where)
    if problem is not None:
        return ShareStatus(count, False, None, problem=problem)
    header = _header([WORD_INDEX_MAP[w] for w in typed]) if count >= _HEADER_WORDS else {}
    problem = _header_problem(header, where) if header else None
    target = expected_words or (SHORT_SHARE_WORDS if count <= SHORT_SHARE_WORDS
                                else LONG_SHARE_WORDS)
    if problem is None and count > target:
        problem = WordProblem("bad_share_length", f"{where}: expected {target} words, "
                              f"got {count}", target + 1, typed[target])
    checksum: bool | None = None
    if problem is None and count == target:
        problem = _full_check(typed, where)
        checksum = problem is None or problem.code != "bad_share_checksum"
    return ShareStatus(count, problem is None and checksum is True, checksum,
                       problem=problem, **header)
