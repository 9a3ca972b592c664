"""Addresses as a holder reads them aloud, and look-alikes of addresses they already know.

An address is always shown in full. For reading aloud it is split into groups of four
after its fixed prefix (`bcrt1q 8c6f 2a0e ...`, `0x 7169 D388 ...`); the ungrouped form
stays in `--json` for copy and paste. No Textual here: the CLI and the TUI both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GROUP = 4
# A look-alike shares this many characters at each end of the part after the prefix:
# what a hurried holder compares, and what address-poisoning vanity generators match.
ENDS = 4
_BECH32 = re.compile(r"^(bcrt1|bc1|tb1)(.)", re.IGNORECASE)


def split_prefix(address: str) -> tuple[str, str]:
    """(fixed prefix, the part that differs between addresses).

    The prefix is what every address of its kind starts with: `0x`, or a bech32 address's
    network part, separator and witness version (`bcrt1q`). Base58 addresses have none.
    """
    if address[:2] in ("0x", "0X"):
        return address[:2], address[2:]
    found = _BECH32.match(address)
    if found:
        return found.group(0), address[found.end():]
    return "", address


def groups(address: str) -> list[str]:
    """The prefix (if any) and the rest in groups of four."""
    prefix, body = split_prefix(address)
    chunks = [body[i:i + GROUP] for i in range(0, len(body), GROUP)]
    return ([prefix] if prefix else []) + chunks


def grouped(address: str) -> str:
    """`bcrt1q 8c6f 2a0e ...`: the full address, spaced for reading aloud."""
    return " ".join(groups(address))


def grouped_lines(address: str, per_line: int = 10) -> list[str]:
    """The grouped address on as many lines as it needs, ``per_line`` groups each (after
    the prefix): a long P2WSH address splits between groups, never inside one, at 80 columns."""
    parts = groups(address)
    prefix = [parts.pop(0)] if split_prefix(address)[0] else []
    rows = [parts[i:i + per_line] for i in range(0, len(parts), per_line)] or [[]]
    indent = " " * (len(prefix[0]) + 1) if prefix else ""
    return [" ".join(prefix + rows[0])] + [indent + " ".join(row) for row in rows[1:]]


def marked_groups(address: str, other: str) -> str:
    """The grouped address with every group that differs from ``other``'s in brackets
    (compared without regard to case: EIP-55 case is a checksum, not a different address)."""
    mine, theirs = groups(address), groups(other)
    shown = []
    for index, group in enumerate(mine):
        same = index < len(theirs) and theirs[index].lower() == group.lower()
        shown.append(group if same else f">{group}<")
    return " ".join(shown)


def looks_alike(address: str, known: str) -> bool:
    """Same prefix and the same first and last ``ENDS`` characters, but another address."""
    a_prefix, a_body = split_prefix(address)
    k_prefix, k_body = split_prefix(known)
    a_body, k_body = a_body.lower(), k_body.lower()
    if a_prefix.lower() != k_prefix.lower() or a_body == k_body:
        return False
    if len(a_body) < 2 * ENDS or len(k_body) < 2 * ENDS:
        return False
    return a_body[:ENDS] == k_body[:ENDS] and a_body[-ENDS:] == k_body[-ENDS:]


@dataclass(frozen=True)
class Lookalike:
    """An address in a draft that resembles one the holders know, but is not it."""

    address: str  # as in the draft
    resembles: str  # the known address
    known_as: str  # "allowlisted", "paid before", "the registered Safe", ...

    def lines(self) -> list[str]:
        """A warning a holder cannot miss: both addresses, the differing groups marked."""
        return [
            f"[!] LOOK-ALIKE ADDRESS: {grouped(self.address)}",
            f"    is NOT {self.known_as}, which it resembles:",
            f"    {grouped(self.resembles)}",
            "    the groups that differ, >marked<:",
            f"    {marked_groups(self.address, self.resembles)}",
        ]

    def to_json(self) -> dict[str, str]:
        return {"address": self.address, "resembles": self.resembles, "known_as": self.known_as}
