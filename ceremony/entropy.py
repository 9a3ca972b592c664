"""Mix the ceremony's entropy sources into one master secret; any one good source suffices.

HKDF-SHA512 (RFC 5869) over the length-prefixed, labelled sources: HMAC-SHA512 is a
randomness extractor, so the output is unpredictable as long as one source is, even if
the others are chosen by an attacker who knows the honest one's hash.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ceremony.memory import wipe
from signer.errors import BadInput

SALT = b"airsign/ceremony/entropy/v1"
OS_RANDOM_BYTES = 64
MIN_HSM_BYTES = 32
_DICE_BITS = math.log2(6)


@dataclass(frozen=True)
class EntropyRecord:
    """What the audit journal keeps of the sources: SHA-256 hashes (hex) and sizes, never bytes."""

    hsm_sha256: str
    hsm_bytes: int
    os_sha256: str
    os_bytes: int
    dice_sha256: str | None
    dice_rolls: int

    @property
    def dice_bits(self) -> int:
        """Entropy the dice can contribute at most (log2(6) bits per roll)."""
        return int(self.dice_rolls * _DICE_BITS)


def parse_dice(text: str, where: str = "dice") -> bytes:
    """Dice rolls as digits 1-6; blanks and line breaks between them are ignored."""
    rolls = bytearray()
    for position, char in enumerate(text):
        if char in "123456":
            rolls.append(ord(char))
        elif not char.isspace():
            raise BadInput(
                "bad_dice",
                f"{where}: character {position + 1}: expected a die roll 1-6, got {char!r}",
            )
    if not rolls:
        raise BadInput("bad_dice", f"{where}: expected at least one die roll 1-6, got none")
    return bytes(rolls)


def read_dice_file(path: str | Path) -> str:
    """The dice rolls written in a text file, checked (digits 1-6, any blanks or line breaks)."""
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(
            "bad_dice", f"{path}: expected a text file of dice rolls 1-6 ({exc})"
        ) from None
    parse_dice(text, str(path))
    return text


def _labelled(label: bytes, data: bytes) -> bytes:
    # Length prefixes keep source boundaries unambiguous: no two inputs share an encoding.
    return len(label).to_bytes(1, "big") + label + len(data).to_bytes(4, "big") + data


def mix_entropy(
    hsm_random: bytes,
    *,
    secret_bytes: int = 32,
    dice: str | None = None,
    os_random: Callable[[int], bytes] = os.urandom,
) -> tuple[bytearray, EntropyRecord]:
    """Master secret (16 or 32 bytes) from HSM bytes, the OS RNG and optional dice rolls (1-6)."""
    if secret_bytes not in (16, 32):
        raise BadInput("bad_entropy", f"master secret: expected 16 or 32 bytes, got {secret_bytes}")
    if len(hsm_random) < MIN_HSM_BYTES:
        raise BadInput(
            "bad_entropy",
            f"HSM random: expected at least {MIN_HSM_BYTES} bytes, got {len(hsm_random)}",
        )
    rolls = parse_dice(dice) if dice is not None else None
    from_os = os_random(OS_RANDOM_BYTES)
    if len(from_os) != OS_RANDOM_BYTES:
        raise BadInput("bad_entropy", f"OS random: expected {OS_RANDOM_BYTES} bytes")
    material = bytearray(_labelled(b"hsm", hsm_random) + _labelled(b"os", from_os))
    if rolls is not None:
        material += _labelled(b"dice", rolls)
    info = b"airsign master secret " + str(secret_bytes * 8).encode()
    kdf = HKDF(algorithm=hashes.SHA512(), length=secret_bytes, salt=SALT, info=info)
    secret = bytearray(kdf.derive(material))  # no immutable copy of the material
    record = EntropyRecord(
        hsm_sha256=hashlib.sha256(hsm_random).hexdigest(),
        hsm_bytes=len(hsm_random),
        os_sha256=hashlib.sha256(from_os).hexdigest(),
        os_bytes=len(from_os),
        dice_sha256=hashlib.sha256(rolls).hexdigest() if rolls is not None else None,
        dice_rolls=len(rolls) if rolls is not None else 0,
    )
    wipe(material)
    return secret, record

