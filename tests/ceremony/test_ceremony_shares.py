"""Share cards: written once, readable by shamir-mnemonic itself, and they rebuild the xpub."""

from __future__ import annotations

import hashlib
import itertools
import os
import random
import re
import stat
from pathlib import Path

import pytest
import shamir_mnemonic
import zxingcpp
from embit import bip32
from embit.networks import NETWORKS
from PIL import Image, ImageDraw

from ceremony.cards import read_card
from ceremony.config import CeremonyPlan, load_ceremony
from ceremony.derive import derive_holder_keys
from ceremony.shares import ShareCard, combine_shares, render_card, split_secret, write_cards
from signer.errors import BadInput

SEED = hashlib.sha256(b"airsign share test").digest()
WORD_LINE = re.compile(r"^(\d\d)\. ([a-z]+)$", re.MULTILINE)


@pytest.fixture
def plan(ceremony_file: Path) -> CeremonyPlan:
    return load_ceremony(ceremony_file)


def cards_for(plan: CeremonyPlan, holder: str, passphrase: bytes = b"") -> tuple[ShareCard, ...]:
    keys = derive_holder_keys(SEED, "regtest", 0, 1, 1)
    return split_secret(
        SEED, plan.holder_by_id(holder).backup, wallet=plan.wallet, holder=holder,
        fingerprint=keys.fingerprint, passphrase=passphrase,
    )


def words_in_file(path: Path) -> str:
    """The mnemonic, read from the card with this test's own parser."""
    found = WORD_LINE.findall(path.read_text())
    assert [int(n) for n, _ in found] == list(range(1, len(found) + 1))
    return " ".join(word for _, word in found)


def embit_xpub(seed: bytes) -> str:
    net = NETWORKS["regtest"]
    root = bip32.HDKey.from_seed(seed, version=net["xprv"])
    return root.derive("m/48h/1h/0h/2h").to_public().to_base58(version=net["xpub"])


def test_cards_rebuild_the_registered_xpub(plan: CeremonyPlan, tmp_path: Path) -> None:
    ours = derive_holder_keys(SEED, "regtest", 0, 1, 1).xpub
    cards = cards_for(plan, "B")
    paths = write_cards(cards, tmp_path / "shares")
    assert sorted(p.name for p in paths) == ["B-g1-1.txt", "B-g1-2.txt", "B-g1-3.txt", "B-g2-1.txt"]
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    by_name = {p.name: words_in_file(p) for p in paths}
    assert [c.custodian for c in cards] == ["Uma", "Vic", "Wes", "Xia"]
    group_one = [by_name[f"B-g1-{n}.txt"] for n in (1, 2, 3)]
    for pair in itertools.combinations(group_one, 2):
        seed = shamir_mnemonic.combine_mnemonics([*pair, by_name["B-g2-1.txt"]])
        assert seed == SEED
        assert embit_xpub(seed) == ours
    with pytest.raises(shamir_mnemonic.MnemonicError):
        shamir_mnemonic.combine_mnemonics(group_one[:2])  # group 2 missing


def test_card_text_layout(plan: CeremonyPlan) -> None:
    card = cards_for(plan, "A")[1]
    text = render_card(card)
    assert "wallet: cold-2026" in text and "holder: A" in text and "custodian: Sam" in text
    assert f"key fingerprint: {card.fingerprint.hex()}" in text
    assert "share: 2 of 3 in group 1 (2 needed)" in text
    assert len(card.words) == 33  # 256-bit secret
    assert WORD_LINE.findall(text)[0] == ("01", card.words[0])
    assert card.mnemonic not in repr(card)


def qr_image(text: str) -> Image.Image:
    lines = [line for line in text.split("QR code of the words (text):\n")[1].splitlines()]
    width, scale = max(map(len, lines)), 6
    image = Image.new("L", ((width + 8) * scale, (2 * len(lines) + 8) * scale), 255)
    draw = ImageDraw.Draw(image)
    for y, line in enumerate(lines):
        for x, char in enumerate(line):
            for half, dark in enumerate((char in "█▀", char in "█▄")):
                if dark:
                    top = (2 * y + half + 4) * scale
                    draw.rectangle([(x + 4) * scale, top, (x + 5) * scale - 1, top + scale - 1], 0)
    return image


def test_card_qr_decodes_to_the_words(plan: CeremonyPlan) -> None:
    card = cards_for(plan, "C", b"pass")[0]
    results = zxingcpp.read_barcodes(qr_image(render_card(card)))
    assert [r.text for r in results] == [card.mnemonic.upper()]


def test_cards_never_overwrite(plan: CeremonyPlan, tmp_path: Path) -> None:
    cards = cards_for(plan, "A")
    directory = tmp_path / "shares"
    write_cards(cards, directory)
    before = {p.name: p.read_bytes() for p in directory.iterdir()}
    with pytest.raises(BadInput) as caught:
        write_cards(cards_for(plan, "A"), directory)
    assert caught.value.code == "share_card_exists" and caught.value.exit == 2
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == before


def test_one_existing_card_blocks_all(plan: CeremonyPlan, tmp_path: Path) -> None:
    directory = tmp_path / "shares"
    directory.mkdir()
    (directory / "A-g1-3.txt").write_text("someone else's card")
    with pytest.raises(BadInput, match=re.escape("A-g1-3.txt")):
        write_cards(cards_for(plan, "A"), directory)
    assert os.listdir(directory) == ["A-g1-3.txt"]
    assert (directory / "A-g1-3.txt").read_text() == "someone else's card"


def test_passphrase_scheme(plan: CeremonyPlan, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="passphrase"):
        cards_for(plan, "C")  # the file asks for a passphrase
    cards = cards_for(plan, "C", b"correct horse")
    mnemonics = [c.mnemonic for c in cards[:3]]
    assert shamir_mnemonic.combine_mnemonics(mnemonics, b"correct horse") == SEED
    assert shamir_mnemonic.combine_mnemonics(mnemonics) != SEED
    assert combine_shares(mnemonics, b"correct horse") == SEED


def test_injected_randomness_is_used(plan: CeremonyPlan) -> None:
    backup = plan.holder_by_id("A").backup
    def split(seed: int) -> tuple[ShareCard, ...]:
        rng = random.Random(seed)
        return split_secret(SEED, backup, wallet="w", holder="A", fingerprint=bytes(4),
                            random_bytes=rng.randbytes)
    assert split(1) == split(1)
    assert split(1) != split(2)


def test_read_card_and_combine_ours(plan: CeremonyPlan, tmp_path: Path) -> None:
    paths = write_cards(cards_for(plan, "A"), tmp_path)
    mnemonics = [read_card(p.read_text(), str(p)) for p in paths[:2]]
    assert combine_shares(mnemonics) == SEED
    assert read_card("  " + mnemonics[0].upper() + "\n") == mnemonics[0]


def replace_word(mnemonic: str, position: int, word: str) -> str:
    words = mnemonic.split()
    words[position] = word
    return " ".join(words)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_mistyped_words_are_pointed_out(plan: CeremonyPlan, seed: int) -> None:
    # Seeded shares: word 7 is share data, so with OS randomness it would change every
    # run, and a typo can sit near several words ("tasx": 'taxi' or 'task' or 'trash').
    a1, a2, _ = (c.mnemonic for c in split_secret(
        SEED, plan.holder_by_id("A").backup, wallet=plan.wallet, holder="A",
        fingerprint=bytes(4), random_bytes=random.Random(seed).randbytes))
    right = a2.split()[6]
    typo = right[:-1] + ("x" if right[-1] != "x" else "y")
    with pytest.raises(BadInput) as caught:
        combine_shares([a1, replace_word(a2, 6, typo)])
    assert caught.value.code == "bad_share_word"
    message = caught.value.message
    assert message.startswith(f"share 2, word 7: {typo!r} is not a SLIP-39 word; did you mean ")
    assert repr(right) in message.split("did you mean ")[1].rstrip("?").split(" or ")
    other = next(w for w in shamir_mnemonic.wordlist.WORDLIST if w != right)
    with pytest.raises(BadInput) as caught:
        combine_shares([a1, replace_word(a2, 6, other)])
    assert caught.value.code == "bad_share_checksum"
    assert f"word 7 {other!r} -> {right!r}" in caught.value.message


def test_share_set_errors(plan: CeremonyPlan) -> None:
    a1, a2, a3 = (c.mnemonic for c in cards_for(plan, "A"))
    b1 = cards_for(plan, "B")[0].mnemonic
    cases = [
        ([a1, a1], "duplicate_share", "share 2 is the same share as share 1"),
        ([a1], "too_few_shares", "group 1: 1 of 2 shares"),
        ([a1, b1], "shares_from_different_sets", "share 2 belongs to a different backup"),
        ([a1, a2, a3], "too_many_shares", "exactly"),
        ([], "too_few_shares", "none"),
    ]
    for mnemonics, code, text in cases:
        with pytest.raises(BadInput) as caught:
            combine_shares(mnemonics)
        assert (caught.value.code, caught.value.exit) == (code, 2)
        assert text in caught.value.message
