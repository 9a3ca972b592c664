"""The pieces every kind's words are made of: effects with their addresses in full, and
outside text made safe to show (no control characters, no repr, never silently cut)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from signer.chains.address_text import grouped, grouped_lines

_LONGEST_FIELD = 200  # characters of one field of outside text shown


@dataclass(frozen=True)
class Effect:
    """One thing the draft does: a sentence, and the addresses it names (in full)."""

    words: str  # "Send 0.01 BTC to an address not ours:"
    addresses: tuple[tuple[str, str], ...] = ()  # (label, address); label "" for the main one
    note: str = ""  # a second line of explanation
    ours: bool = False  # the addresses are the wallet's own (verified change)

    def line(self) -> str:
        """One line, addresses in full: for lists and import results."""
        named = " ".join(f"{label + ' ' if label else ''}{grouped(a)}" for label, a in
                         self.addresses)
        return f"{self.words.removesuffix(':')} {named}".rstrip()

    def lines(self) -> list[str]:
        """The sentence, then each address on its own line, grouped for reading aloud."""
        shown = [self.words]
        for label, address in self.addresses:
            head = f"    {label}: " if label else "    "
            rows = grouped_lines(address)
            shown += [head + rows[0], *(" " * len(head) + row for row in rows[1:])]
        return shown + ([f"    {self.note}"] if self.note else [])


def printable(text: str) -> str:
    """Outside text on one line: no control characters, so a newline cannot forge a line
    (reason messages quote the vault's request). Never cut: reasons are read in full."""
    return "".join(c if c.isprintable() else "?" for c in text)


def text(value: object, missing: str = "(none)") -> str:
    """A field as words: missing fields say so, lists and objects never show as reprs."""
    if value is None or value == "":
        return missing
    if isinstance(value, (list, tuple)):
        return ", ".join(text(v) for v in value) or missing
    if isinstance(value, dict):
        return ", ".join(f"{k} {text(v)}" for k, v in value.items()) or missing
    # Outside text is hostile: no control characters (a newline could forge a line of the
    # review), and no wall of text pushing the payload off screen.
    shown = printable(str(value))
    if len(shown) > _LONGEST_FIELD:
        return f"{shown[:_LONGEST_FIELD]}… ({len(shown) - _LONGEST_FIELD} more characters)"
    return shown


def decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def address(value: object) -> str:
    """A claimed address grouped for reading aloud; anything else as plain words."""
    return grouped(text(value)) if isinstance(value, str) and value else text(value)
