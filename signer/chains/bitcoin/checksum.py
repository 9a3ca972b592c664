"""BIP-380 output-descriptor checksum (8 characters after ``#``), computed by embit."""

from __future__ import annotations

from embit.descriptor.checksum import checksum as _embit_checksum
from embit.descriptor.errors import DescriptorError


def descriptor_checksum(descriptor: str) -> str:
    """The 8-character checksum of a descriptor given without ``#``. Raises ValueError."""
    try:
        return _embit_checksum(descriptor)
    except DescriptorError as exc:
        raise ValueError(str(exc)) from None


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
