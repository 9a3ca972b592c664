"""Join UR parts found anywhere in one scan (text lines, QR frames, several files).

Multipart parts are grouped by what identifies their message (type, seqLen,
messageLen, checksum), so parts of two different drafts on the same stick never mix.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from signer.errors import BadInput
from signer.transport.incoming import RefusedInput
from signer.transport.ur import DecodeBudget, FountainPart, URDecoder, split_ur
from signer.transport.ur.bytewords import Style, decode

_MAX_NAMED = 3
# UR part strings one import reads (text lines and QR codes together): twice what the
# largest draft needs at the default fragment length (1 MiB in 880-byte fragments, with
# repeats), far more than anyone scans by hand.
MAX_UR_PARTS = 5_000
# Refusals that end a message for good: its later parts are ignored, not refused again.
_FINAL = ("ur_checksum", "ur_too_costly")


@dataclass(frozen=True)
class JoinedUR:
    """A whole UR's byte-string payload and where its parts came from."""

    source: str
    ur_type: str
    payload: bytes
    sha256: str  # of the UR's CBOR message
    notes: tuple[str, ...]


@dataclass
class _Message:
    decoder: URDecoder
    origins: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    refused: bool = False  # refused for good (checksum, decoding budget): parts ignored
    mixed_reported: bool = False  # a part of another message claimed its identity

    def add_origin(self, origin: str) -> None:
        if origin not in self.origins:
            self.origins.append(origin)


def _named(origins: list[str]) -> str:
    shown = ", ".join(origins[:_MAX_NAMED])
    more = len(origins) - _MAX_NAMED
    return f"{shown} and {more} more" if more > 0 else shown


def _sha(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode("utf-8", "replace")).hexdigest()


class URCollector:
    """Accepts UR part strings from many sources; ``finish`` yields whole URs or refusals.

    One import's parts share one decoding budget and the cap on parts: a flood of forged
    parts is refused once, in about a second, and its further parts are ignored.
    """

    def __init__(self, budget: DecodeBudget | None = None, max_parts: int = MAX_UR_PARTS
                 ) -> None:
        self._messages: dict[tuple[object, ...], _Message] = {}
        self.budget = budget if budget is not None else DecodeBudget()
        self.max_parts = max_parts
        self.parts = 0

    def add(self, text: str, source: str, origin: str) -> RefusedInput | None:
        """Take one part; ``source`` names the part, ``origin`` the file it came from."""
        self.parts += 1
        if self.parts > self.max_parts:
            if self.parts > self.max_parts + 1:
                return None  # refused once, below
            return RefusedInput(source, "ur_too_many_parts",
                                f"{source}: more than {self.max_parts} UR parts in one import "
                                "(the limit); this part and every later one are ignored",
                                _sha([text]))
        message = None
        try:
            key = self._key(text, source)
            if self.budget.exhausted and key[1] != "single":
                return None  # the import's decoding budget is spent: refused once already
            message = self._messages.get(key)
            if message is None:
                message = self._messages[key] = _Message(URDecoder(origin, self.budget))
            if message.refused:
                return None  # its refusal is reported once already
            message.decoder.receive(text)
        except BadInput as exc:
            if exc.code in _FINAL and message is not None:
                message.refused = True
            if exc.code == "ur_mixed_messages" and message is not None:
                # Reported once: forged parts claiming this message's identity must not
                # become a refusal (and a journal entry) each; its own parts still count.
                if message.mixed_reported:
                    return None
                message.mixed_reported = True
            named = exc.message if exc.message.startswith(source) else f"{source}: {exc.message}"
            return RefusedInput(source, exc.code, named, _sha([text]))
        message.add_origin(origin)
        message.texts.append(text)
        return None

    @staticmethod
    def _key(text: str, source: str) -> tuple[object, ...]:
        ur_type, seq, body = split_ur(text, source)
        data = decode(body, Style.MINIMAL, source)
        if seq is None:
            return (ur_type, "single", data)
        part = FountainPart.from_cbor(data, source)
        return (ur_type, part.seq_len, part.message_len, part.checksum)

    def finish(self) -> list[JoinedUR | RefusedInput]:
        """One entry per distinct UR message seen, complete or not."""
        finished: list[JoinedUR | RefusedInput] = []
        # Incomplete messages are reported once per file (set): forged parts that each
        # claim another message must not become a refusal per part.
        incomplete: dict[str, list[_Message]] = {}
        for message in self._messages.values():
            if message.refused:
                continue
            if message.decoder.result is None:
                incomplete.setdefault(_named(message.origins), []).append(message)
            else:
                finished.append(self._finished(message))
        for source, group in incomplete.items():
            if len(group) == 1:
                finished.append(self._finished(group[0]))
                continue
            texts = [text for message in group for text in message.texts]
            finished.append(RefusedInput(
                source, "ur_incomplete",
                f"{source}: {len(group)} multipart URs, none complete ({len(texts)} parts "
                "that name different messages: seqLen, length or checksum differ); import "
                "one complete QR sequence", _sha(texts)))
        return finished

    @staticmethod
    def _finished(message: _Message) -> JoinedUR | RefusedInput:
        source = _named(message.origins)
        sha = _sha(message.texts)
        result = message.decoder.result
        fountain = message.decoder.fountain
        if result is None:
            return RefusedInput(
                source, "ur_incomplete",
                f"{source}: multipart UR: {fountain.parts_seen} distinct parts of "
                f"{fountain.expected_parts} read, about {fountain.percent:.0f}% recovered; "
                "import the remaining frames together with these",
                sha,
            )
        try:
            payload = result.payload(source)
        except BadInput as exc:
            return RefusedInput(source, exc.code, exc.message, sha)
        if fountain.parts_seen:
            note = (f"ur:{result.type}: joined from {fountain.parts_seen} distinct parts "
                    f"(seqLen {fountain.expected_parts}) in {len(message.origins)} source(s): "
                    f"{_named(message.origins)}")
        else:
            note = f"ur:{result.type}: single-part UR"
        return JoinedUR(source, result.type, payload, hashlib.sha256(result.cbor).hexdigest(),
                        (note,))
