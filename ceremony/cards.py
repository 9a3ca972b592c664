"""Share cards: the text a custodian keeps (numbered words plus a QR of them), written once."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import segno

from signer.errors import BadInput
from signer.store.files import write_new_files

TITLE = "AIRSIGN SLIP-39 SHARE CARD - SECRET: keep offline, never photograph"
_NUMBERED = re.compile(r"^\s*(\d{2})\.\s+([A-Za-z]+)\s*$")
# Two QR rows per text line: (top dark, bottom dark) -> character.
_HALF_BLOCKS = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
_QR_BORDER = 4


@dataclass(frozen=True)
class ShareCard:
    """One custodian's SLIP-39 share of one holder's master secret (group, index 1-based)."""

    wallet: str
    holder: str
    fingerprint: bytes  # the holder's BIP32 master fingerprint: which key this share rebuilds
    custodian: str
    group: int
    group_count: int
    group_threshold: int
    index: int
    member_count: int
    member_threshold: int
    identifier: int
    words: tuple[str, ...]

    @property
    def mnemonic(self) -> str:
        return " ".join(self.words)

    @property
    def file_name(self) -> str:
        return f"{self.holder}-g{self.group}-{self.index}.txt"

    def __repr__(self) -> str:
        # The words are secret: keep them out of logs and tracebacks.
        return f"ShareCard({self.holder}-g{self.group}-{self.index}, custodian={self.custodian!r})"


def qr_text(text: str) -> str:
    """A QR code of ``text`` drawn with Unicode half blocks (dark = ink)."""
    rows = [tuple(bool(m) for m in row) for row in segno.make(text, error="m").matrix_iter(
        scale=1, border=_QR_BORDER)]
    if len(rows) % 2:
        rows.append(tuple(False for _ in rows[0]))
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        lines.append("".join(_HALF_BLOCKS[pair] for pair in zip(top, bottom, strict=True)))
    return "\n".join(lines)


def render_card(card: ShareCard) -> str:
    """The card's text: header lines, ``01. word`` lines, then a QR of the words."""
    header = [
        TITLE,
        f"wallet: {card.wallet}",
        f"holder: {card.holder}",
        f"key fingerprint: {card.fingerprint.hex()}",
        f"custodian: {card.custodian}",
        f"share set identifier: {card.identifier}",
        f"group: {card.group} of {card.group_count} ({card.group_threshold} group(s) needed)",
        f"share: {card.index} of {card.member_count} in group {card.group} "
        f"({card.member_threshold} needed)",
        f"words: {len(card.words)}",
    ]
    words = [f"{n:02d}. {word}" for n, word in enumerate(card.words, 1)]
    # Upper case lets the QR use its compact alphanumeric mode; SLIP-39 ignores case.
    qr = ["QR code of the words (text):", qr_text(card.mnemonic.upper())]
    return "\n".join([*header, "", *words, "", *qr]) + "\n"


def read_card(text: str, where: str = "share card") -> str:
    """The mnemonic on a card (numbered ``01. word`` lines), or a file of bare words."""
    numbered = [_NUMBERED.match(line) for line in text.splitlines()]
    found = [m for m in numbered if m]
    if not found:
        words = text.split()
        if words and all(w.isalpha() for w in words):
            return " ".join(w.lower() for w in words)
        raise BadInput("bad_share_card", f"{where}: expected numbered word lines '01. word'")
    for expected, match in enumerate(found, 1):
        if int(match.group(1)) != expected:
            raise BadInput(
                "bad_share_card",
                f"{where}: word line {match.group(1)}: expected number {expected:02d}",
            )
    return " ".join(m.group(2).lower() for m in found)


def write_cards(cards: Sequence[ShareCard], shares_dir: str | Path) -> tuple[Path, ...]:
    """Write each card to ``<holder>-g<group>-<n>.txt`` (mode 0600); refuse if any exists."""
    directory = Path(shares_dir)
    paths = [directory / card.file_name for card in cards]
    if len(set(paths)) != len(paths):
        raise BadInput("share_card_exists", f"{directory}: two cards would share a file name")
    existing = [str(p) for p in paths if os.path.lexists(p)]
    if existing:
        raise BadInput(
            "share_card_exists",
            f"{directory}: share cards already there ({', '.join(existing)}); "
            "never overwritten: use an empty directory",
        )
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput("bad_shares_dir", f"{directory}: cannot create: {exc.strerror}") from None
    # Temporary names, one flush, then the final names: a crash or a failure leaves no
    # card under its name with missing words, and no half set (linked cards are removed).
    write_new_files(directory, {card.file_name: render_card(card).encode("utf-8")
                                for card in cards}, mode=0o600)
    return tuple(paths)
