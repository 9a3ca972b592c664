"""Bytewords (BCR-2020-012): bytes as four-letter words, with a CRC32 trailer."""

from __future__ import annotations

import zlib
from enum import Enum

from signer.errors import BadInput

_WORD_LIST = """
    able acid also apex aqua arch atom aunt away axis back bald barn belt beta bias
    blue body brag brew bulb buzz calm cash cats chef city claw code cola cook cost
    crux curl cusp cyan dark data days deli dice diet door down draw drop drum dull
    duty each easy echo edge epic even exam exit eyes fact fair fern figs film fish
    fizz flap flew flux foxy free frog fuel fund gala game gear gems gift girl glow
    good gray grim guru gush gyro half hang hard hawk heat help high hill holy hope
    horn huts iced idea idle inch inky into iris iron item jade jazz join jolt jowl
    judo jugs jump junk jury keep keno kept keys kick kiln king kite kiwi knob lamb
    lava lazy leaf legs liar limp lion list logo loud love luau luck lung main many
    math maze memo menu meow mild mint miss monk nail navy need news next noon note
    numb obey oboe omit onyx open oval owls paid part peck play plus poem pool pose
    puff puma purr quad quiz race ramp real redo rich road rock roof ruby ruin runs
    rust safe saga scar sets silk skew slot soap solo song stub surf swan taco task
    taxi tent tied time tiny toil tomb toys trip tuna twin ugly undo unit urge user
    vast very veto vial vibe view visa void vows wall wand warm wasp wave waxy webs
    what when whiz wolf work yank yawn yell yoga yurt zaps zero zest zinc zone zoom
    """
WORDS: tuple[str, ...] = tuple(_WORD_LIST.split())
_BY_WORD = {word: i for i, word in enumerate(WORDS)}
_BY_MINIMAL = {word[0] + word[-1]: i for i, word in enumerate(WORDS)}


class Style(Enum):
    """The three spellings: words with spaces, words with dashes, first+last letters."""

    STANDARD = " "
    URI = "-"
    MINIMAL = ""


def crc32(data: bytes) -> int:
    """CRC-32 (ISO-HDLC, as zlib) of ``data``."""
    return zlib.crc32(data) & 0xFFFFFFFF


def encode(data: bytes, style: Style = Style.MINIMAL) -> str:
    """Spell ``data`` followed by its big-endian CRC32 in ``style``."""
    framed = data + crc32(data).to_bytes(4, "big")
    if style is Style.MINIMAL:
        return "".join(WORDS[b][0] + WORDS[b][-1] for b in framed)
    return style.value.join(WORDS[b] for b in framed)


def decode(text: str, style: Style = Style.MINIMAL, where: str = "bytewords") -> bytes:
    """Read ``text`` spelled in ``style`` (any case), check and strip the CRC32 trailer."""
    framed = bytes(_lookup(text.lower(), style, where))
    if len(framed) < 5:
        raise BadInput("ur_malformed", f"{where}: expected at least 5 bytewords, got {len(framed)}")
    body, trailer = framed[:-4], framed[-4:]
    if crc32(body).to_bytes(4, "big") != trailer:
        raise BadInput(
            "ur_checksum", f"{where}: bytewords checksum mismatch (damaged or mistyped part)"
        )
    return body


def _lookup(text: str, style: Style, where: str) -> list[int]:
    if style is Style.MINIMAL:
        if len(text) % 2:
            raise BadInput("ur_malformed", f"{where}: odd number of bytewords letters")
        pieces = [text[i : i + 2] for i in range(0, len(text), 2)]
        table = _BY_MINIMAL
    else:
        pieces = text.split(style.value) if text else []
        table = _BY_WORD
    values = []
    for position, piece in enumerate(pieces):
        value = table.get(piece)
        if value is None:
            raise BadInput(
                "ur_malformed", f"{where}: '{piece[:8]}' at word {position} is not a byteword"
            )
        values.append(value)
    return values
