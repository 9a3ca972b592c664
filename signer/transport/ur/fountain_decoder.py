"""Rebuild a message from fountain parts received in any order, with loss and repeats."""

from __future__ import annotations

from signer.errors import BadInput
from signer.transport.ur.bytewords import crc32
from signer.transport.ur.fountain import FountainPart, xor
from signer.transport.ur.sampler import choose_fragments


class FountainDecoder:
    """Peeling decoder: known fragments are XORed out of mixed parts until all are known."""

    def __init__(self, where: str = "UR parts") -> None:
        self.where = where
        self._first: FountainPart | None = None
        self._seen: set[int] = set()
        self._known: dict[int, bytes] = {}
        self._mixed: dict[frozenset[int], bytes] = {}
        self._message: bytes | None = None

    @property
    def parts_seen(self) -> int:
        """Distinct parts accepted so far (duplicates are not counted)."""
        return len(self._seen)

    @property
    def expected_parts(self) -> int | None:
        """The message's fragment count (seqLen), once a part has arrived."""
        return self._first.seq_len if self._first else None

    @property
    def is_complete(self) -> bool:
        return self._message is not None

    @property
    def percent(self) -> float:
        """Estimate of progress: fragments known plus pending mixes, capped at 99 until done."""
        if self._message is not None:
            return 100.0
        if self._first is None:
            return 0.0
        solved = len(self._known) + len(self._mixed)
        return min(99.0, 100.0 * solved / self._first.seq_len)

    @property
    def message(self) -> bytes | None:
        """The checked message once complete, else None."""
        return self._message

    def receive(self, part: FountainPart) -> bool:
        """Take one part; True if it was new. Raises ur_mixed_messages / ur_checksum."""
        self._check_same_message(part)
        if self._message is not None or part.seq_num in self._seen:
            return False
        self._seen.add(part.seq_num)
        indexes = choose_fragments(part.seq_num, part.seq_len, part.checksum)
        self._add(indexes, part.data)
        if len(self._known) == part.seq_len:
            self._finish(part)
        return True

    def _check_same_message(self, part: FountainPart) -> None:
        first = self._first
        if first is None:
            self._first = part
            return
        mine = (first.seq_len, first.message_len, first.checksum, len(first.data))
        theirs = (part.seq_len, part.message_len, part.checksum, len(part.data))
        if mine != theirs:
            raise BadInput(
                "ur_mixed_messages",
                f"{self.where}: part {part.seq_num} belongs to another message "
                f"(seqLen/messageLen/checksum/fragment {theirs} vs {mine}); "
                "scan one QR sequence at a time",
            )

    def _add(self, indexes: frozenset[int], data: bytes) -> None:
        queue = [(indexes, data)]
        while queue:
            indexes, data = queue.pop()
            indexes, data = self._reduce(indexes, data)
            if not indexes or indexes in self._mixed:
                continue
            if len(indexes) == 1:
                (index,) = indexes
                self._known[index] = data
                queue.extend(self._release(index))
            else:
                queue.extend(self._release_supersets(indexes, data))
                self._mixed[indexes] = data

    def _reduce(self, indexes: frozenset[int], data: bytes) -> tuple[frozenset[int], bytes]:
        for index in indexes & self._known.keys():
            data = xor(data, self._known[index])
        indexes = indexes.difference(self._known)
        for other, other_data in self._mixed.items():
            if other < indexes:
                indexes, data = indexes - other, xor(data, other_data)
        return indexes, data

    def _release(self, index: int) -> list[tuple[frozenset[int], bytes]]:
        """Mixed parts touching a newly known fragment go back to the queue."""
        touched = [key for key in self._mixed if index in key]
        return [(key, self._mixed.pop(key)) for key in touched]

    def _release_supersets(
        self, indexes: frozenset[int], data: bytes
    ) -> list[tuple[frozenset[int], bytes]]:
        supersets = [key for key in self._mixed if indexes < key]
        return [(key - indexes, xor(self._mixed.pop(key), data)) for key in supersets]

    def _finish(self, part: FountainPart) -> None:
        joined = b"".join(self._known[i] for i in range(part.seq_len))[: part.message_len]
        self._mixed.clear()
        if crc32(joined) != part.checksum:
            raise BadInput(
                "ur_checksum",
                f"{self.where}: reassembled message fails its CRC32 checksum "
                f"{part.checksum:08x}; the parts are damaged or forged",
            )
        self._message = joined
