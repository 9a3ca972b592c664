"""UR strings (BCR-2020-005): ``ur:type/bytewords`` and ``ur:type/seq-len/bytewords``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from signer.errors import BadInput
from signer.transport.ur import bytewords, cbor
from signer.transport.ur.budget import DecodeBudget
from signer.transport.ur.fountain import MAX_MESSAGE_LEN, FountainEncoder, FountainPart
from signer.transport.ur.fountain_decoder import FountainDecoder

SUPPORTED_TYPES = ("bytes", "psbt", "crypto-psbt")
MAX_UR_CHARS = 2 * (MAX_MESSAGE_LEN + 64) + 64
_TYPE = re.compile(r"[a-z0-9-]{1,64}")
_SEQ = re.compile(r"([1-9][0-9]{0,9})-([1-9][0-9]{0,9})")


@dataclass(frozen=True)
class UR:
    """A uniform resource: a registered type name and its CBOR body."""

    type: str
    cbor: bytes

    @classmethod
    def wrap(cls, ur_type: str, payload: bytes) -> UR:
        """A supported type whose CBOR is one byte string holding ``payload``."""
        _check_type(ur_type, "UR")
        return cls(ur_type, cbor.encode(payload))

    def payload(self, where: str = "UR") -> bytes:
        """The byte string inside a supported type's CBOR."""
        _check_type(self.type, where)
        value = cbor.decode(self.cbor, where)
        if not isinstance(value, bytes):
            raise BadInput("ur_malformed", f"{where}: ur:{self.type} must hold a CBOR byte string")
        return value


def encode_single(ur: UR) -> str:
    """``ur:type/<minimal bytewords of the CBOR>`` (lower case)."""
    return f"ur:{ur.type}/{bytewords.encode(ur.cbor)}"


class UREncoder:
    """Parts of one UR as strings; a UR that fits one fragment is always the single form."""

    def __init__(
        self, ur: UR, max_fragment_len: int, first_seq_num: int = 0, min_fragment_len: int = 10
    ) -> None:
        self.ur = ur
        self.fountain = FountainEncoder(ur.cbor, max_fragment_len, first_seq_num, min_fragment_len)

    @property
    def seq_len(self) -> int:
        return self.fountain.seq_len

    def next_part(self) -> str:
        part = self.fountain.next_part()
        if self.seq_len == 1:
            return encode_single(self.ur)
        body = bytewords.encode(part.to_cbor())
        return f"ur:{self.ur.type}/{part.seq_num}-{part.seq_len}/{body}"


class URDecoder:
    """Accepts UR part strings (any case, any order, repeats) until the UR is whole."""

    def __init__(self, where: str = "UR", budget: DecodeBudget | None = None) -> None:
        self.where = where
        self.fountain = FountainDecoder(where, budget)
        self._type: str | None = None
        self._single: UR | None = None

    @property
    def result(self) -> UR | None:
        """The decoded UR once complete."""
        if self._single is not None:
            return self._single
        message = self.fountain.message
        return UR(self._type, message) if message is not None and self._type else None

    def receive(self, text: str | bytes) -> bool:
        """Take one part; True if it added information. Raises BadInput on bad parts."""
        ur_type, seq, body = split_ur(text, self.where)
        if self._type is None:
            self._type = ur_type
        elif ur_type != self._type:
            raise BadInput(
                "ur_mixed_messages",
                f"{self.where}: part of type ur:{ur_type} mixed with ur:{self._type}",
            )
        data = bytewords.decode(body, bytewords.Style.MINIMAL, self.where)
        if seq is None:
            if self.fountain.parts_seen:
                raise BadInput(
                    "ur_mixed_messages", f"{self.where}: a single-part UR among multipart parts"
                )
            new = self._single is None
            if self._single is not None and self._single.cbor != data:
                raise BadInput("ur_mixed_messages", f"{self.where}: two different single-part URs")
            self._single = UR(ur_type, data)
            return new
        if self._single is not None:
            raise BadInput(
                "ur_mixed_messages", f"{self.where}: a multipart part after a single-part UR"
            )
        part = FountainPart.from_cbor(data, self.where)
        if (part.seq_num, part.seq_len) != seq:
            raise BadInput(
                "ur_malformed",
                f"{self.where}: header says {seq[0]}-{seq[1]} but the part is "
                f"{part.seq_num}-{part.seq_len}",
            )
        return self.fountain.receive(part)


def split_ur(text: str | bytes, where: str) -> tuple[str, tuple[int, int] | None, str]:
    """Check the shape of a UR string: (type, (seqNum, seqLen) or None, bytewords)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise BadInput("ur_malformed", f"{where}: a UR is ASCII text") from None
    if len(text) > MAX_UR_CHARS:
        raise BadInput("ur_malformed", f"{where}: UR longer than {MAX_UR_CHARS} characters")
    text = text.strip().lower()
    if not text.startswith("ur:"):
        raise BadInput("ur_malformed", f"{where}: expected text starting with 'ur:'")
    components = text[3:].split("/")
    if len(components) not in (2, 3) or not _TYPE.fullmatch(components[0]):
        raise BadInput(
            "ur_malformed", f"{where}: expected ur:TYPE/BYTEWORDS or ur:TYPE/SEQ-LEN/BYTEWORDS"
        )
    if len(components) == 2:
        return components[0], None, components[1]
    match = _SEQ.fullmatch(components[1])
    if match is None:
        raise BadInput(
            "ur_malformed", f"{where}: expected a sequence 'N-M', got '{components[1][:24]}'"
        )
    return components[0], (int(match[1]), int(match[2])), components[2]


def _check_type(ur_type: str, where: str) -> None:
    if ur_type not in SUPPORTED_TYPES:
        raise BadInput(
            "ur_unsupported_type",
            f"{where}: ur:{ur_type[:64]} is not supported; expected one of "
            + ", ".join(f"ur:{t}" for t in SUPPORTED_TYPES),
        )


def decode_parts(
    parts: Iterable[str | bytes], where: str = "UR", budget: DecodeBudget | None = None
) -> UR:
    """Decode a whole UR from parts that must all belong to it; ``ur_incomplete`` if too few,
    ``ur_too_costly`` past the decoding budget (by default MAX_DECODE_STEPS)."""
    decoder = URDecoder(where, budget)
    for text in parts:
        decoder.receive(text)
    if decoder.result is not None:
        return decoder.result
    raise BadInput(
        "ur_incomplete",
        f"{where}: {decoder.fountain.parts_seen} parts of "
        f"{decoder.fountain.expected_parts or '?'} read, about "
        f"{decoder.fountain.percent:.0f}% recovered; scan more frames",
    )


def encode_parts(ur: UR, max_fragment_len: int, count: int | None = None) -> list[str]:
    """``count`` parts (default: seqLen, each fragment once); a short UR gives one part."""
    encoder = UREncoder(ur, max_fragment_len)
    total = encoder.seq_len if count is None or encoder.seq_len == 1 else count
    return [encoder.next_part() for _ in range(total)]
