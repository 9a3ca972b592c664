"""A draft's hash as eight words two people can compare aloud across the air gap.

The words come from the SLIP-39 wordlist (``shamir_mnemonic.wordlist``, 1,024 words,
each unique in its first four letters), not the PGP word list: the SLIP-39 list
ships with a dependency we already trust, so nobody has to retype 512 words. Like
the PGP list, even and odd positions use disjoint word sets (byte ``b`` at an even
position is word ``4*b``, at an odd position word ``4*b + 2``), so a swapped or
dropped word is heard as wrong, not merely different.
"""

from __future__ import annotations

import hashlib

from shamir_mnemonic.wordlist import WORDLIST

from signer.store import drafts
from signer.store.drafts import Draft
from signer.usecases.appliance import Appliance

WORD_COUNT = 8
LIST_NAME = "SLIP-39 wordlist"


def digest_words(digest: bytes) -> list[str]:
    """One word per byte of the first eight bytes of ``digest``."""
    if len(digest) < WORD_COUNT:
        raise ValueError(f"a digest of at least {WORD_COUNT} bytes is needed")
    return [WORDLIST[4 * byte + 2 * (position % 2)]
            for position, byte in enumerate(digest[:WORD_COUNT])]


def hash_words(payload: bytes) -> list[str]:
    """Eight words for the first eight bytes of SHA-256 of ``payload``."""
    return digest_words(hashlib.sha256(payload).digest())


def imported_payload_sha256(app: Appliance, row: Draft) -> str:
    """SHA-256 (hex) of the payload as imported: stable while signatures are added to it."""
    entry = drafts.imported_entry(app.conn, row.id)
    if entry is not None and entry.data.get("payload_sha256"):
        return str(entry.data["payload_sha256"])
    return hashlib.sha256(row.payload).hexdigest()


def draft_hash_words(app: Appliance, row: Draft) -> tuple[str, list[str]]:
    """The imported payload's SHA-256 (hex) and its eight words."""
    digest = imported_payload_sha256(app, row)
    return digest, digest_words(bytes.fromhex(digest))


def record_review(app: Appliance, row: Draft, typed: bool) -> list[str]:
    """Journal that the operator reviewed the draft (with its spoken hash) and marked it."""
    digest, words = draft_hash_words(app, row)
    # The journal refuses keys that look like mnemonic "words": these are a hash, not a secret.
    app.record("draft_reviewed", "operator",
               {"draft": row.id, "payload_sha256": digest, "spoken_hash": " ".join(words),
                "typed_confirmation": typed})
    return words
