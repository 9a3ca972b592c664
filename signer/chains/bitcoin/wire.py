"""Bitcoin wire format read strictly (compact sizes, transactions, witness stacks).

embit's readers accept short reads and treat a zero-input transaction as a witness
marker, so bytes from outside are read here first and only then handed to embit.
Writing is embit's own (``Transaction.serialize()``, ``compact.to_bytes``).
"""

from __future__ import annotations

from embit.script import Script, Witness
from embit.transaction import Transaction, TransactionInput, TransactionOutput

MAX_MONEY = 21_000_000 * 100_000_000


class WireError(ValueError):
    """Bytes that are not a well-formed Bitcoin structure."""


class Cursor:
    """Reads a byte string front to back, refusing to read past its end."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    @property
    def remaining(self) -> int:
        return len(self.data) - self.position

    def read(self, count: int, what: str) -> bytes:
        start = self.position
        end = start + count
        if end > len(self.data):
            raise WireError(f"{what}: needs {count} bytes, only {self.remaining} left")
        self.position = end
        return self.data[start:end]

    def compact_size(self, what: str) -> int:
        position = self.position
        if position < len(self.data) and self.data[position] < 0xFD:
            self.position = position + 1  # the one-byte form: nearly every size in a PSBT
            return self.data[position]
        first = self.read(1, what)[0]
        if first < 0xFD:
            return first
        width = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
        value = int.from_bytes(self.read(width, what), "little")
        if value < (0xFD, 0x10000, 0x100000000)[width // 4]:
            raise WireError(f"{what}: non-canonical compact size")
        return value

    def var_bytes(self, what: str) -> bytes:
        return self.read(self.compact_size(what), what)

    def bounded_count(self, what: str, limit: int) -> int:
        count = self.compact_size(what)
        if count > limit:
            raise WireError(f"{what}: {count} exceeds the limit of {limit}")
        return count

    def finish(self, what: str) -> None:
        if self.remaining:
            raise WireError(f"{what}: {self.remaining} unexpected trailing bytes")


def read_witness(cursor: Cursor, what: str) -> Witness:
    """One input's witness stack."""
    count = cursor.bounded_count(f"{what} item count", cursor.remaining)
    return Witness([cursor.var_bytes(f"{what} item {i}") for i in range(count)])


def _read_output(cursor: Cursor, what: str) -> TransactionOutput:
    value = int.from_bytes(cursor.read(8, f"{what} amount"), "little")
    if value > MAX_MONEY:
        raise WireError(f"{what}: amount {value} exceeds 21 million BTC")
    return TransactionOutput(value, Script(cursor.var_bytes(f"{what} script")))


def read_transaction(
    data: bytes, what: str, *, unsigned: bool, max_inputs: int, max_outputs: int
) -> Transaction:
    """Parse a whole transaction; ``unsigned`` demands legacy framing and empty scriptSigs."""
    cursor = Cursor(data)
    version = int.from_bytes(cursor.read(4, f"{what} version"), "little")
    # An unsigned PSBT transaction is always legacy-serialised (BIP174), where 0x00 is
    # simply "no inputs"; elsewhere 0x00 0x01 is the segwit marker and flag.
    segwit = not unsigned and cursor.data[cursor.position : cursor.position + 2] == b"\x00\x01"
    if segwit:
        cursor.read(2, f"{what} segwit marker")
    vin = []
    for index in range(cursor.bounded_count(f"{what} input count", max_inputs)):
        where = f"{what} input {index}"
        txid = bytes(reversed(cursor.read(32, f"{where} txid")))
        vout = int.from_bytes(cursor.read(4, f"{where} vout"), "little")
        script_sig = cursor.var_bytes(f"{where} scriptSig")
        if unsigned and script_sig:
            raise WireError(f"{where}: scriptSig must be empty in an unsigned transaction")
        sequence = int.from_bytes(cursor.read(4, f"{where} sequence"), "little")
        vin.append(TransactionInput(txid, vout, Script(script_sig), sequence))
    count = cursor.bounded_count(f"{what} output count", max_outputs)
    vout_list = [_read_output(cursor, f"{what} output {i}") for i in range(count)]
    if segwit:
        for index, txin in enumerate(vin):
            txin.witness = read_witness(cursor, f"{what} input {index} witness")
    locktime = int.from_bytes(cursor.read(4, f"{what} locktime"), "little")
    cursor.finish(what)
    return Transaction(version=version, vin=vin, vout=vout_list, locktime=locktime)


def transaction_bytes(tx: Transaction) -> bytes:
    """The transaction as the network and a draft id see it: embit's serialisation."""
    return bytes(tx.serialize())


def push_data(data: bytes) -> bytes:
    """A minimal script push of ``data`` (up to 520 bytes).

    Not embit's ``Script.push``: that prefixes a compact size, which is a different
    opcode from 76 bytes up (a P2SH-wrapped multisig script is longer)."""
    if len(data) < 0x4C:
        return bytes([len(data)]) + data
    if len(data) <= 0xFF:
        return b"\x4c" + bytes([len(data)]) + data
    return b"\x4d" + len(data).to_bytes(2, "little") + data
