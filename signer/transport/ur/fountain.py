"""Fountain codes for multipart URs (BCR-2020-005): parts, encoder and bounded decoder."""

from __future__ import annotations

from dataclasses import dataclass

from signer.errors import BadInput
from signer.transport.ur import cbor
from signer.transport.ur.bytewords import crc32
from signer.transport.ur.sampler import choose_fragments

MAX_MESSAGE_LEN = 4 * 1024 * 1024
MAX_SEQ_LEN = 10_000
_UINT32 = 0xFFFFFFFF


def find_nominal_fragment_length(message_len: int, min_len: int, max_len: int) -> int:
    """Smallest fragment count whose (ceiling) fragment length fits in ``max_len``."""
    max_count = max(1, message_len // min_len)
    length = message_len
    for count in range(1, max_count + 1):
        length = -(-message_len // count)
        if length <= max_len:
            break
    return length


def partition_message(message: bytes, fragment_len: int) -> list[bytes]:
    """Split ``message`` into ``fragment_len`` pieces, zero-padding the last."""
    padded = message + bytes(-len(message) % fragment_len)
    return [padded[i : i + fragment_len] for i in range(0, len(padded), fragment_len)]


def xor(a: bytes, b: bytes) -> bytes:
    """Byte-wise XOR of two equal-length strings."""
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


@dataclass(frozen=True)
class FountainPart:
    """One part: ``data`` is the XOR of the fragments its seq_num selects."""

    seq_num: int
    seq_len: int
    message_len: int
    checksum: int
    data: bytes

    def to_cbor(self) -> bytes:
        """The CBOR array [seqNum, seqLen, messageLen, checksum, data]."""
        return cbor.encode(
            [self.seq_num, self.seq_len, self.message_len, self.checksum, self.data]
        )

    @classmethod
    def from_cbor(cls, data: bytes, where: str) -> FountainPart:
        """Parse and range-check a part; ``where`` names the input in errors."""
        value = cbor.decode(data, where)
        if not (isinstance(value, list) and len(value) == 5):
            raise BadInput("ur_malformed", f"{where}: expected a 5-item CBOR array (fountain part)")
        seq_num, seq_len, message_len, checksum, body = value
        if not (
            isinstance(seq_num, int)
            and isinstance(seq_len, int)
            and isinstance(message_len, int)
            and isinstance(checksum, int)
            and isinstance(body, bytes)
        ):
            raise BadInput("ur_malformed", f"{where}: expected 4 unsigned ints then a byte string")
        part = cls(seq_num, seq_len, message_len, checksum, body)
        part._check_ranges(where)
        return part

    def _check_ranges(self, where: str) -> None:
        problems = [
            (1 <= self.seq_num <= _UINT32, "seqNum in 1..2^32-1"),
            (1 <= self.seq_len <= MAX_SEQ_LEN, f"seqLen in 1..{MAX_SEQ_LEN}"),
            (1 <= self.message_len <= MAX_MESSAGE_LEN, f"messageLen in 1..{MAX_MESSAGE_LEN}"),
            (self.checksum <= _UINT32, "a 32-bit checksum"),
            (len(self.data) > 0, "a non-empty fragment"),
        ]
        for ok, expected in problems:
            if not ok:
                raise BadInput("ur_malformed", f"{where}: expected {expected}")
        if -(-self.message_len // len(self.data)) != self.seq_len:
            raise BadInput(
                "ur_malformed",
                f"{where}: seqLen {self.seq_len} does not match messageLen "
                f"{self.message_len} in fragments of {len(self.data)} bytes",
            )


class FountainEncoder:
    """Endless parts of ``message``: the first seq_len are its fragments, then mixes."""

    def __init__(
        self,
        message: bytes,
        max_fragment_len: int,
        first_seq_num: int = 0,
        min_fragment_len: int = 10,
    ) -> None:
        if not message:
            raise ValueError("cannot encode an empty message")
        self.message_len = len(message)
        self.checksum = crc32(message)
        fragment_len = find_nominal_fragment_length(
            len(message), min_fragment_len, max_fragment_len
        )
        self.fragments = partition_message(message, fragment_len)
        self.seq_num = first_seq_num

    @property
    def seq_len(self) -> int:
        return len(self.fragments)

    def next_part(self) -> FountainPart:
        """The part after the last one emitted."""
        if self.seq_num >= _UINT32:
            raise ValueError("fountain sequence number exhausted")
        self.seq_num += 1
        indexes = choose_fragments(self.seq_num, self.seq_len, self.checksum)
        data = bytes(len(self.fragments[0]))
        for i in sorted(indexes):
            data = xor(data, self.fragments[i])
        return FountainPart(self.seq_num, self.seq_len, self.message_len, self.checksum, data)
