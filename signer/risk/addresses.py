"""Destination addresses normalised by their chain, so that lists and drafts compare equal."""

from __future__ import annotations

from signer.chains import kinds


def normalise_address(chain: str, text: str) -> str:
    """Normalise ``text`` as an address of ``chain``; ValueError says what was expected."""
    return kinds.kind(chain).normalise_address(text)


def parse_address_list(text: str) -> tuple[frozenset[str], list[tuple[int, str]]]:
    """Addresses of a list file (one per line, '#' comments) and the (line, problem) pairs."""
    found: set[str] = set()
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            found.add(kinds.kind_of_address(entry).normalise_address(entry))
        except ValueError as exc:
            problems.append((number, str(exc)))
    return frozenset(found), problems
