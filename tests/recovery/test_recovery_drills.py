"""Drills: good shares pass and are journaled; each kind of bad share is refused by name."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from recovery_support import Ceremony
from shamir_mnemonic.wordlist import WORDLIST

from ceremony.cards import read_card
from ceremony.drills import days_since_drills, drill_status
from signer.usecases.appliance import Appliance


def _words(card: Path) -> list[str]:
    return read_card(card.read_text()).split()


def _plain(tmp: Path, name: str, words: list[str]) -> Path:
    path = tmp / name
    path.write_text(" ".join(words) + "\n")
    return path


def _journal(ceremony: Ceremony, kind: str) -> list[dict[str, object]]:
    app = ceremony.open()
    try:
        return [json.loads(r[0]) for r in app.conn.execute(
            "SELECT data FROM journal WHERE kind = ? ORDER BY seq", (kind,))]
    finally:
        app.close()


def test_good_shares_pass_and_are_journaled(ceremony: Ceremony) -> None:
    cards = [ceremony.card(n) for n in ("B-g1-2", "B-g1-3", "B-g2-1")]
    code, doc = ceremony.cli("recover", "B", "--drill", "--shares", *map(str, cards))
    assert code == 0, doc
    [entry] = _journal(ceremony, "drill_passed")
    identifier = int(next(line.split(": ")[1] for line in cards[0].read_text().splitlines()
                          if line.startswith("share set identifier")))
    assert entry["shares"] == [{"identifier": identifier, "group": 1, "index": 2},
                               {"identifier": identifier, "group": 1, "index": 3},
                               {"identifier": identifier, "group": 2, "index": 1}]
    assert entry["holder"] == "B" and entry["date"] == datetime.now(UTC).date().isoformat()
    code, doc = ceremony.cli("drills")
    assert [(d["holder"], d["days"], d["stale"]) for d in doc["drills"]] == [
        ("A", None, True), ("B", 0, False), ("C", None, True)]


def test_a_drill_needs_no_pin_and_imports_nothing(
    ceremony: Ceremony, monkeypatch: pytest.MonkeyPatch
) -> None:
    for holder in "ABC":
        monkeypatch.delenv(f"AIRSIGN_PIN_{holder}")
    logins = len(_journal(ceremony, "login_ok"))
    cards = [ceremony.card(n) for n in ("A-g1-1", "A-g1-3")]
    code, doc = ceremony.cli("recover", "A", "--drill", "--shares", *map(str, cards))
    assert code == 0, doc
    assert len(_journal(ceremony, "login_ok")) == logins
    assert _journal(ceremony, "holder_restored") == []


def test_passphrase_protected_backup(ceremony: Ceremony, monkeypatch: pytest.MonkeyPatch) -> None:
    cards = [str(ceremony.card(f"C-g1-{n}")) for n in (1, 4, 5)]
    assert ceremony.cli("recover", "C", "--drill", "--shares", *cards)[0] == 0
    monkeypatch.setenv("AIRSIGN_PASSPHRASE_C", "custodians of carl")
    code, doc = ceremony.cli("recover", "C", "--drill", "--shares", *cards)
    assert (code, doc["error"]["code"]) == (2, "shares_do_not_restore")
    assert "do not restore holder C of wallet cold-2026" in doc["error"]["message"]
    assert "passphrase" in doc["error"]["message"]
    monkeypatch.delenv("AIRSIGN_PASSPHRASE_C")  # forgotten passphrase: same refusal
    assert ceremony.cli("recover", "C", "--drill", "--shares", *cards)[1]["error"]["code"] \
        == "shares_do_not_restore"


def _mistyped(tmp: Path, c: Ceremony) -> tuple[list[Path], list[str]]:
    words = _words(c.card("B-g1-2"))
    position = next(i for i, w in enumerate(words) if len(w) >= 6 and i > 3)
    typo = words.copy()
    typo[position] = words[position][:-1] + ("x" if words[position][-1] != "x" else "z")
    return [c.card("B-g1-1"), _plain(tmp, "typed.txt", typo), c.card("B-g2-1")], [
        f"share 2 ({tmp / 'typed.txt'}), word {position + 1}", repr(words[position])]


def _wrong_valid_word(tmp: Path, c: Ceremony) -> tuple[list[Path], list[str]]:
    words = _words(c.card("B-g1-2"))
    swapped = words.copy()
    swapped[9] = WORDLIST[(WORDLIST.index(words[9]) + 1) % len(WORDLIST)]
    return [c.card("B-g1-1"), _plain(tmp, "swapped.txt", swapped), c.card("B-g2-1")], [
        "share 2", "checksum", f"word 10 {swapped[9]!r} -> {words[9]!r}"]


def _duplicate(tmp: Path, c: Ceremony) -> tuple[list[Path], list[str]]:
    copy = _plain(tmp, "copy.txt", _words(c.card("B-g1-1")))
    return [c.card("B-g1-1"), copy, c.card("B-g2-1")], [
        f"share 2 ({copy}) is the same share as share 1"]


def _other_set(tmp: Path, c: Ceremony) -> tuple[list[Path], list[str]]:
    alien = _plain(tmp, "alien.txt", _words(c.card("A-g1-1")))
    return [c.card("B-g1-1"), alien, c.card("B-g2-1")], [
        f"share 2 ({alien}) belongs to a different backup than share 1"]


def _too_few(tmp: Path, c: Ceremony) -> tuple[list[Path], list[str]]:
    return [c.card("B-g1-1"), c.card("B-g1-2")], ["2 complete group(s) needed, 1 given",
                                                  "group 1: 2 of 2"]


def _too_many(tmp: Path, c: Ceremony) -> tuple[list[Path], list[str]]:
    return [c.card(f"B-g1-{n}") for n in (1, 2, 3)] + [c.card("B-g2-1")], ["group 1: 3 of 2"]


def _missing_file(tmp: Path, c: Ceremony) -> tuple[list[Path], list[str]]:
    return [c.card("B-g1-1"), tmp / "nowhere.txt"], [f"share 2 ({tmp / 'nowhere.txt'})"]


def _binary_file(tmp: Path, c: Ceremony) -> tuple[list[Path], list[str]]:
    photo = tmp / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    return [photo], [f"share 1 ({photo}): not UTF-8 text"]


def _other_holders_cards(tmp: Path, c: Ceremony) -> tuple[list[Path], list[str]]:
    return [c.card("A-g1-1"), c.card("A-g1-2")], ["the card says holder A"]


def _other_holders_words(tmp: Path, c: Ceremony) -> tuple[list[Path], list[str]]:
    plain = [_plain(tmp, f"a{n}.txt", _words(c.card(f"A-g1-{n}"))) for n in (1, 2)]
    return plain, ["do not restore holder B of wallet cold-2026", "holder A's key"]


BAD = [
    pytest.param("bad_share_word", _mistyped, id="mistyped-word"),
    pytest.param("bad_share_checksum", _wrong_valid_word, id="wrong-valid-word"),
    pytest.param("duplicate_share", _duplicate, id="duplicate"),
    pytest.param("shares_from_different_sets", _other_set, id="different-sets"),
    pytest.param("too_few_shares", _too_few, id="too-few"),
    pytest.param("too_many_shares", _too_many, id="too-many"),
    pytest.param("share_file_unreadable", _missing_file, id="missing-file"),
    pytest.param("share_file_unreadable", _binary_file, id="binary-file"),
    pytest.param("share_of_other_holder", _other_holders_cards, id="other-holders-cards"),
    pytest.param("shares_do_not_restore", _other_holders_words, id="other-holders-words"),
]
Builder = Callable[[Path, Ceremony], tuple[list[Path], list[str]]]


@pytest.mark.parametrize(("code", "build"), BAD)
def test_bad_shares_fail_the_drill_by_name(
    ceremony: Ceremony, tmp_path: Path, code: str, build: Builder
) -> None:
    files, phrases = build(tmp_path, ceremony)
    exit_code, doc = ceremony.cli("recover", "B", "--drill", "--shares", *map(str, files))
    assert exit_code == 2
    assert doc["error"]["code"] == code
    for phrase in phrases:
        assert phrase in doc["error"]["message"]
    assert [e["code"] for e in _journal(ceremony, "drill_failed")] == [code]
    assert _journal(ceremony, "drill_passed") == []


def test_staleness_follows_the_clock_and_the_setting(ceremony: Ceremony) -> None:
    cards = [str(ceremony.card(n)) for n in ("A-g1-1", "A-g1-2")]
    assert ceremony.cli("recover", "A", "--drill", "--shares", *cards)[0] == 0
    today = datetime.now(UTC)
    for offset, stale in ((180, False), (181, True)):
        app = Appliance.open(ceremony.home, clock=lambda o=offset: today + timedelta(days=o))
        try:
            assert days_since_drills(app) == {"A": offset, "B": None, "C": None}
            assert drill_status(app)["A"].stale is stale
        finally:
            app.close()
