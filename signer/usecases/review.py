"""One review of a draft, for `show` and the TUI's review screen alike: what it does in
words, look-alikes of known addresses, and the hash holders read aloud."""

from __future__ import annotations

from dataclasses import dataclass

from signer.store.drafts import Draft
from signer.usecases.appliance import Appliance
from signer.usecases.describe import Description, describe
from signer.usecases.hash_words import draft_hash_words
from signer.usecases.known_addresses import known_addresses


@dataclass(frozen=True)
class Review:
    row: Draft
    description: Description
    payload_sha256: str  # of the payload as imported
    spoken: list[str]  # its first eight bytes as words (LIST_NAME), read aloud


def review(app: Appliance, row: Draft) -> Review:
    digest, spoken = draft_hash_words(app, row)
    return Review(row, describe(row, known_addresses(app)), digest, spoken)
