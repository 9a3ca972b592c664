"""The spoken draft hash: SHA-256, first 8 bytes, SLIP-39 words with alternating sets."""

from __future__ import annotations

import hashlib

from shamir_mnemonic.wordlist import WORDLIST

from signer.usecases.hash_words import digest_words, hash_words


def test_words_of_the_empty_payload_follow_the_documented_rule() -> None:
    # SHA-256("") = e3b0c442 98fc1c14 ... (FIPS 180-2 example, well known).
    assert hashlib.sha256(b"").hexdigest().startswith("e3b0c44298fc1c14")
    expected = [WORDLIST[4 * 0xE3], WORDLIST[4 * 0xB0 + 2], WORDLIST[4 * 0xC4],
                WORDLIST[4 * 0x42 + 2], WORDLIST[4 * 0x98], WORDLIST[4 * 0xFC + 2],
                WORDLIST[4 * 0x1C], WORDLIST[4 * 0x14 + 2]]
    assert hash_words(b"") == expected


def test_a_swapped_pair_of_bytes_is_heard_as_a_different_sequence() -> None:
    words = digest_words(bytes([7, 9, 1, 2, 3, 4, 5, 6]))
    swapped = digest_words(bytes([9, 7, 1, 2, 3, 4, 5, 6]))
    assert swapped[:2] != [words[1], words[0]]  # not the same words in another order
    # Even and odd positions never share a word, so a swap cannot reproduce the same pair.
    assert {w for b in range(256) for w in digest_words(bytes([b] * 8))[0::2]}.isdisjoint(
        {w for b in range(256) for w in digest_words(bytes([b] * 8))[1::2]})
    assert len(set(words)) == 8 and len(hash_words(b"draft")) == 8
