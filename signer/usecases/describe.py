"""One way to say what a draft does: the words `show`, `drafts`, `import` and the TUI review use.

Built from what the appliance decoded and stored (the draft's summary), never from what
the online side claims. Every output or call is listed, never only the first; addresses
are in full (grouped for reading aloud); amounts carry their unit; the vault's request is
labelled as the request; and nothing is a Python repr. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from signer.chains import kinds
from signer.chains.address_text import Lookalike
from signer.chains.words import Effect
from signer.chains.words import address as _address
from signer.chains.words import text as _text
from signer.store.drafts import Draft
from signer.usecases.draft_lookup import stored_draft

if TYPE_CHECKING:  # only the type: `drafts` lists without loading policy or wallet code
    from signer.usecases.known_addresses import KnownAddresses

@dataclass(frozen=True)
class Description:
    headline: str  # one line: every output or call, addresses in full
    effects: tuple[Effect, ...]
    compare: tuple[str, ...]  # what a holder compares on a second device
    request: tuple[str, ...]  # the vault's request, labelled as such
    lookalikes: tuple[Lookalike, ...]
    network_id: tuple[str, str] | None = None  # (--json key, id) the network knows it by

    def what_it_does(self) -> list[str]:
        warnings = [line for found in self.lookalikes for line in found.lines()]
        return warnings + [line for effect in self.effects for line in effect.lines()]


def describe(row: Draft, known: KnownAddresses | None = None) -> Description:
    """The draft in words; ``known`` flags look-alikes of addresses the holders know."""
    words = kinds.kind(row.chain).describe(stored_draft(row))
    named = [a for e in words.effects if not e.ours for _, a in e.addresses]
    if known is not None and words.own_addresses:
        known = replace(known, named=dict(known.named))  # this draft's change, for it alone
        known.add(words.own_addresses, "our change address")
    lookalikes = tuple(known.lookalikes(named)) if known is not None else ()
    return Description(words.headline, words.effects, words.compare, tuple(_request(row)),
                       lookalikes, words.network_id)


def headline(row: Draft) -> str:
    """The one line a list shows for a draft (no database look-ups, no payload parsing)."""
    return kinds.kind(row.chain).describe(stored_draft(row), full=False).headline


# The vault's request ---------------------------------------------------------------------

def _request(row: Draft) -> list[str]:
    """What the vault system asked for, labelled as the request (not what is signed)."""
    if not row.envelope:
        return ["Request: none (a plain draft, no vault envelope)"]
    draft = row.envelope.get("draft")
    draft = draft if isinstance(draft, dict) else {}
    request = draft.get("request")
    head = (f"Request from vault key {_text(row.envelope.get('key_id'))} "
            f"(vault draft {_text(draft.get('id'))}):")
    if not isinstance(request, dict):
        return [head, "    (no request object)"]
    if "message" in request:  # a statement to sign (a proof): what the vault says it says
        return [head, f"    message: {_text(request.get('message'))}",
                f"    reference: {_text(request.get('reference'))}"]
    return [head,
            f"    {_text(request.get('amount'))} {_text(request.get('asset'))} to "
            f"{_address(request.get('destination'))}",
            f"    reference: {_text(request.get('reference'))}"]
