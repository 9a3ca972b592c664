"""Checksum repairs agree with shamir-mnemonic's own checksum, tried word by word."""

from __future__ import annotations

import random

import pytest
from shamir_mnemonic import generate_mnemonics, rs1024
from shamir_mnemonic.wordlist import WORD_INDEX_MAP, WORDLIST

from ceremony.typos import checksum_repairs, suggestions


def brute_force(words: list[str]) -> list[tuple[int, str, str]]:
    """Every single-word substitution, checked with shamir-mnemonic's RS1024."""
    indices = [WORD_INDEX_MAP[w] for w in words]
    found = []
    for position, typed in enumerate(indices):
        for candidate in range(len(WORDLIST)):
            if candidate == typed:
                continue
            trial = [*indices[:position], candidate, *indices[position + 1 :]]
            custom = b"shamir_extendable" if (trial[1] >> 4) & 1 else b"shamir"
            if rs1024.verify_checksum(trial, custom):
                found.append((position + 1, words[position], WORDLIST[candidate]))
    return found


# Word 2 carries the extendable flag (it picks the checksum's customization string).
@pytest.mark.parametrize(("position", "secret_bytes"), [(1, 16), (19, 16), (32, 32)])
def test_repairs_match_brute_force(position: int, secret_bytes: int) -> None:
    rng = random.Random(position)
    words = generate_mnemonics(1, [(1, 1)], rng.randbytes(secret_bytes))[0][0].split()
    right = words[position]
    words[position] = rng.choice([w for w in WORDLIST if w != right])
    assert not rs1024.verify_checksum([WORD_INDEX_MAP[w] for w in words], b"shamir_extendable")
    expected = brute_force(words)
    assert (position + 1, words[position], right) in expected
    assert checksum_repairs(words, limit=100) == expected


def test_suggestions() -> None:
    assert suggestions("academc") == ["academic"]  # the first four letters name the word
    assert "acid" in suggestions("acd")
    assert suggestions("zzzzzz") == []
