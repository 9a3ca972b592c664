"""The word-level API a wizard drives: completions, per-word checks, per-share status, progress.

Shares come from shamir_mnemonic's own generator and the published SLIP-39 vectors, so the
expected header fields and secrets are not computed by our code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from shamir_mnemonic import Share, generate_mnemonics
from shamir_mnemonic.wordlist import WORDLIST

from ceremony.share_entry import check_share, word_suggestions
from ceremony.share_set import ShareSet, ShareSource
from signer.errors import BadInput

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "slip39-vectors.json").read_text())
SECRET = bytes(range(16))
# groups (2-of-3, 1-of-1), both needed: the shape of holder B's backup in valid-ceremony.toml
MNEMONICS = generate_mnemonics(2, [(2, 3), (1, 1)], SECRET, b"", iteration_exponent=0)
# Our code for each published failure (matched on the vector's description).
EXPECTED_CODE = {
    "invalid checksum": "bad_share_checksum", "invalid padding": "bad_share_padding",
    "Basic sharing 2-of-3": "too_few_shares", "different identifiers":
    "shares_from_different_sets", "different iteration exponents": "shares_from_different_sets",
    "mismatching group thresholds": "shares_from_different_sets",
    "mismatching group counts": "shares_from_different_sets",
    "greater group threshold than group counts": "bad_share",
    "duplicate member indices": "duplicate_share",
    "mismatching member thresholds": "shares_from_different_sets",
    "invalid digest": "shares_do_not_match", "Insufficient number of groups": "too_few_shares",
    "insufficient number of members": "too_few_shares", "insufficient length": "bad_share_length",
    "invalid master secret length": "bad_share_length",
}  # fmt: skip


def test_completions_come_from_the_wordlist() -> None:
    assert word_suggestions("acad") == ["academic"]
    assert word_suggestions("sp") == [w for w in WORDLIST if w.startswith("sp")][:8]
    assert "academic" in word_suggestions("acadmic")  # no completion: closest words
    assert word_suggestions("") == []


def test_the_header_shows_after_four_words_and_the_share_completes_at_twenty() -> None:
    words = MNEMONICS[0][1].split()
    share = Share.from_mnemonic(MNEMONICS[0][1])
    assert check_share(words[:3]).identifier is None
    early = check_share(words[:4])
    assert (early.identifier, early.group, early.index, early.group_threshold,
            early.group_count, early.member_threshold) == (
        share.identifier, share.group_index + 1, share.index + 1, share.group_threshold,
        share.group_count, share.member_threshold)
    assert (early.complete, early.checksum_valid, early.problem) == (False, None, None)
    done = check_share(words)
    assert done.valid and done.checksum_valid is True and done.words == 20


def test_a_mistyped_word_is_named_with_suggestions() -> None:
    words = MNEMONICS[1][0].split()
    position = next(i for i, w in enumerate(words) if len(w) >= 6 and i > 3)
    typed = [*words[:position], words[position][:-1] + "q", *words[position + 1:]]
    status = check_share(typed[: position + 1])  # flagged as soon as it is typed
    assert status.problem is not None
    assert (status.problem.code, status.problem.position) == ("bad_share_word", position + 1)
    assert words[position] in status.problem.suggestions


def test_a_wrong_but_valid_word_fails_the_checksum_with_the_repair() -> None:
    words = MNEMONICS[0][2].split()
    typed = words.copy()
    typed[11] = WORDLIST[(WORDLIST.index(words[11]) + 7) % 1024]
    status = check_share(typed)
    assert status.problem is not None and status.checksum_valid is False
    assert status.problem.repairs == ((12, typed[11], words[11]),)
    assert (status.problem.position, status.problem.suggestions) == (12, (words[11],))


def test_group_progress_like_recovery_state() -> None:
    shares = ShareSet()
    assert not shares.progress().complete
    shares.add(ShareSource("typed share 1", MNEMONICS[0][2]))
    progress = shares.progress()
    assert (progress.groups_complete, progress.groups_needed) == (0, 2)
    assert [(g.group, g.entered, g.threshold) for g in progress.groups] == [(1, 1, 2),
                                                                           (2, 0, None)]
    shares.add(ShareSource("typed share 2", MNEMONICS[1][0]))
    with pytest.raises(BadInput) as refused:
        shares.combine()
    assert refused.value.code == "too_few_shares"
    shares.add(ShareSource("typed share 3", MNEMONICS[0][0]))
    assert shares.progress().complete and shares.progress().groups_complete == 2
    assert bytes(shares.combine()) == SECRET
    assert [(r.group, r.index) for r in shares.refs()] == [(1, 3), (2, 1), (1, 1)]


@pytest.mark.parametrize("vector", VECTORS, ids=[v[0] for v in VECTORS])
def test_published_vectors(vector: list[Any]) -> None:
    description, mnemonics, secret_hex, _ = vector
    shares = ShareSet()
    try:
        for n, mnemonic in enumerate(mnemonics, 1):
            shares.add(ShareSource(f"typed share {n}", mnemonic))
        secret = bytes(shares.combine(b"TREZOR"))
    except BadInput as refused:
        assert not secret_hex, f"{description}: {refused.message}"
        expected = next(c for key, c in EXPECTED_CODE.items() if key in description)
        assert refused.code == expected, description
        return
    assert secret.hex() == secret_hex, description
