"""Rebuild a message from fountain parts received in any order, with loss and repeats.

Each part is one linear equation over GF(2): the XOR of the fragments it names. The
equations are kept in reduced row-echelon form (bit masks as ints), so the message is
recovered as soon as the parts received have full rank, which needs fewer parts than
peeling single fragments out of mixes.
"""

from __future__ import annotations

from signer.errors import BadInput
from signer.transport.ur.budget import DecodeBudget, shuffle_cost
from signer.transport.ur.bytewords import crc32
from signer.transport.ur.fountain import FountainPart
from signer.transport.ur.sampler import choose_fragments, degree_table_cost, fragment_count


class FountainDecoder:
    """Collects fountain parts of one message and checks the result against its CRC32."""

    def __init__(self, where: str = "UR parts", budget: DecodeBudget | None = None) -> None:
        self.where = where
        # Shared by every decoder of one import (a fresh one by default).
        self.budget = budget if budget is not None else DecodeBudget()
        self._first: FountainPart | None = None
        self._seen: set[int] = set()
        # pivot bit -> [mask, value]; a pivot bit appears in no other row's mask.
        self._rows: dict[int, list[int]] = {}
        self._pivots = 0
        self._used = 0  # every fragment some stored row involves
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
    def percent(self) -> float:
        """Independent parts received over fragments needed, capped at 99 until checked."""
        if self._message is not None:
            return 100.0
        if self._first is None:
            return 0.0
        return min(99.0, 100.0 * len(self._rows) / self._first.seq_len)

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
        # Drawing the degree may first build seqLen's weight table; the shuffle that finds
        # the part's fragments costs a step per fragment and copies the list of all of
        # them: both charged before they run.
        self.budget.charge(degree_table_cost(part.seq_num, part.seq_len), self.where)
        degree = fragment_count(part.seq_num, part.seq_len, part.checksum)
        self.budget.charge(shuffle_cost(degree, part.seq_len), self.where)
        mask = 0
        for index in choose_fragments(part.seq_num, part.seq_len, part.checksum):
            mask |= 1 << index
        self._add(mask, int.from_bytes(part.data, "big"))
        if len(self._rows) == part.seq_len:
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

    def _add(self, mask: int, value: int) -> None:
        common = mask & self._pivots
        # One step per stored equation the new one is reduced by (bounded by the rank).
        self.budget.charge(common.bit_count(), self.where)
        while common:
            row = self._rows[common & -common]
            mask ^= row[0]
            value ^= row[1]
            common = mask & self._pivots
        if not mask:
            return  # already implied by the parts we hold
        pivot = mask & -mask
        if self._used & pivot:  # only then can a stored row hold the new pivot's fragment
            self.budget.charge(len(self._rows), self.where)
            for row in self._rows.values():
                if row[0] & pivot:
                    row[0] ^= mask
                    row[1] ^= value
        self._rows[pivot] = [mask, value]
        self._pivots |= pivot
        self._used |= mask  # stays a superset of every row's fragments (rows only shrink)

    def _finish(self, part: FountainPart) -> None:
        # Full rank in reduced form: every row is exactly one fragment.
        size = len(part.data)
        fragments = [self._rows[1 << i][1].to_bytes(size, "big") for i in range(part.seq_len)]
        joined = b"".join(fragments)[: part.message_len]
        if crc32(joined) != part.checksum:
            raise BadInput(
                "ur_checksum",
                f"{self.where}: reassembled message fails its CRC32 checksum "
                f"{part.checksum:08x}; the parts are damaged or forged",
            )
        self._message = joined
