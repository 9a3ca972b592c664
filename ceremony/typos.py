"""Pointing at a mistyped share word: wordlist suggestions and single-word checksum repairs.

The SLIP-39 checksum (RS1024) is linear over GF(2): changing word ``p`` by ``d`` (XOR of
word indexes) changes the checksum residue by a value that depends only on ``p`` and
``d``. So each candidate fix costs one table lookup instead of a full recomputation.
"""

from __future__ import annotations

import difflib

from shamir_mnemonic import rs1024
from shamir_mnemonic.constants import CUSTOMIZATION_STRING_EXTENDABLE, CUSTOMIZATION_STRING_ORIG
from shamir_mnemonic.wordlist import WORD_INDEX_MAP, WORDLIST

# RS1024 generator (SLIP-0039, "Checksum"): reducing by it after each 10-bit symbol.
_GENERATOR = (
    0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009,
    0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120,
)
_ID_EXP_WORDS = 2  # the extendable flag lives here, so it picks the customization string


def suggestions(word: str) -> list[str]:
    """Wordlist words the operator may have meant (SLIP-39 words differ in 4 letters)."""
    by_prefix = [w for w in WORDLIST if len(word) >= 4 and w.startswith(word[:4])]
    return by_prefix or difflib.get_close_matches(word, WORDLIST, n=3, cutoff=0.6)


def not_a_word(where: str, position: int, word: str) -> tuple[str, tuple[str, ...]]:
    """The message for a word not on the SLIP-39 list (``position`` counts from 1), and
    the words the operator may have meant."""
    hint = tuple(suggestions(word))
    tip = f"; did you mean {' or '.join(map(repr, hint))}?" if hint else ""
    return f"{where}, word {position}: {word!r} is not a SLIP-39 word{tip}", hint


def _step(residue: int, symbol: int) -> int:
    top = residue >> 20
    residue = (residue & 0xFFFFF) << 10 ^ symbol
    for bit, generator in enumerate(_GENERATOR):
        if (top >> bit) & 1:
            residue ^= generator
    return residue


def _residue(symbols: list[int], start: int = 1) -> int:
    for symbol in symbols:
        start = _step(start, symbol)
    return start


def _customization(indices: list[int]) -> bytes:
    extendable = ((indices[0] << 10 | indices[1]) >> 4) & 1
    return CUSTOMIZATION_STRING_EXTENDABLE if extendable else CUSTOMIZATION_STRING_ORIG


def _valid(indices: list[int]) -> bool:
    return bool(rs1024.verify_checksum(indices, _customization(indices)))


def _effects(length: int, position: int) -> list[int]:
    """Residue change caused by XOR-ing ``d`` into word ``position``, for every d < 1024."""
    basis = [_residue([0] * (length - position - 1), 1 << bit) for bit in range(10)]
    table = [0] * 1024
    for d in range(1, 1024):
        low = d & -d
        table[d] = table[d ^ low] ^ basis[low.bit_length() - 1]
    return table


def checksum_repairs(words: list[str], limit: int = 3) -> list[tuple[int, str, str]]:
    """Single-word changes (1-based position, typed, proposed) that make the checksum valid."""
    indices = [WORD_INDEX_MAP[w] for w in words]
    found: list[tuple[int, str, str]] = []
    for position in range(_ID_EXP_WORDS):  # may change the customization string: recompute
        for candidate in range(1024):
            trial = indices.copy()
            trial[position] = candidate
            if candidate != indices[position] and _valid(trial):
                found.append((position + 1, words[position], WORDLIST[candidate]))
    residue = _residue([*_customization(indices), *indices])
    for position in range(_ID_EXP_WORDS, len(indices)):
        effects = _effects(len(indices), position)
        for d in range(1, 1024):
            if residue ^ effects[d] == 1:
                proposed = WORDLIST[indices[position] ^ d]
                found.append((position + 1, words[position], proposed))
    return found[:limit]
