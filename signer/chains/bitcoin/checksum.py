"""BIP-380 output-descriptor checksum (8 characters after ``#``)."""

from __future__ import annotations

# Position in INPUT_CHARSET encodes a character as (group, symbol); the spec orders it so
# that the characters common in descriptors fall in the first 32 positions.
INPUT_CHARSET = (
    "0123456789()[],'/*abcdefgh@:$%{}"
    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
    'ijklmnopqrstuvwxyzABCDEFGH`#"\\ '
)
CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD)


def _polymod(symbols: list[int]) -> int:
    checksum = 1
    for value in symbols:
        top = checksum >> 35
        checksum = ((checksum & 0x7FFFFFFFF) << 5) ^ value
        for bit, generator in enumerate(_GENERATOR):
            if (top >> bit) & 1:
                checksum ^= generator
    return checksum


def _expand(descriptor: str) -> list[int]:
    symbols: list[int] = []
    groups: list[int] = []
    for char in descriptor:
        position = INPUT_CHARSET.find(char)
        if position < 0:
            raise ValueError(f"character {char!r} is not allowed in a descriptor")
        symbols.append(position & 31)
        groups.append(position >> 5)
        if len(groups) == 3:
            symbols.append(groups[0] * 9 + groups[1] * 3 + groups[2])
            groups = []
    if len(groups) == 1:
        symbols.append(groups[0])
    elif len(groups) == 2:
        symbols.append(groups[0] * 3 + groups[1])
    return symbols


def descriptor_checksum(descriptor: str) -> str:
    """The 8-character checksum of a descriptor given without ``#``. Raises ValueError."""
    value = _polymod(_expand(descriptor) + [0] * 8) ^ 1
    return "".join(CHECKSUM_CHARSET[(value >> (5 * (7 - i))) & 31] for i in range(8))


def with_checksum(descriptor: str) -> str:
    """``descriptor#checksum``."""
    return f"{descriptor}#{descriptor_checksum(descriptor)}"


def checksum_valid(text: str) -> bool:
    """True when ``text`` is ``descriptor#checksum`` with a correct checksum."""
    descriptor, sep, given = text.rpartition("#")
    if not sep or len(given) != 8:
        return False
    try:
        return descriptor_checksum(descriptor) == given
    except ValueError:
        return False
