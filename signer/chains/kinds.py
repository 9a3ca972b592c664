"""Every kind of draft the appliance knows, by name: the one place that lists them.

A kind is imported the first time it is asked for, so that `airsign --version` and
`airsign drafts` load no parser they do not need. Tests may register a kind of their own
(``register``); production registers the built-in ones below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from signer.chains.kind import DraftKind

# name -> "module:attribute" of the kind object, in the order lists and intake try them.
_BUILT_IN = {
    "bitcoin": "signer.chains.bitcoin.kind:KIND",
    "ethereum": "signer.chains.ethereum.kind:KIND",
    "proof": "signer.chains.proof.kind:KIND",
}
_known: dict[str, str] = dict(_BUILT_IN)
_loaded: dict[str, DraftKind] = {}


class UnknownKind(ValueError):
    """No kind of draft has this name."""


def register(kind: DraftKind) -> None:
    """Add (or replace) a kind under its name: the extension point, used by tests."""
    _known[kind.name] = f"<registered {kind.name}>"
    _loaded[kind.name] = kind


def unregister(name: str) -> None:
    """Forget a kind a test registered; the built-in ones come back as they were."""
    _loaded.pop(name, None)
    _known.pop(name, None)
    if name in _BUILT_IN:
        _known[name] = _BUILT_IN[name]


def names() -> tuple[str, ...]:
    return tuple(_known)


def kind(name: str) -> DraftKind:
    """The kind called ``name``; UnknownKind (a ValueError) says which exist."""
    found = _loaded.get(name)
    if found is not None:
        return found
    where = _known.get(name)
    if where is None:
        raise UnknownKind(f"a known kind of draft ({', '.join(_known)}), not {name!r}")
    module, attribute = where.split(":")
    found = getattr(importlib.import_module(module), attribute)
    _loaded[name] = found
    return found


def every() -> tuple[DraftKind, ...]:
    return tuple(kind(name) for name in _known)


def kind_of_address(text: str) -> DraftKind:
    """The kind whose addresses look like ``text`` (its normaliser then judges it fully)."""
    for candidate in every():
        if candidate.claims_address(text):
            return candidate
    return every()[0]
