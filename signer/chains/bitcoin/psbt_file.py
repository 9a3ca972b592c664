"""Read a PSBT v0 (BIP174) from hostile bytes, strictly and within bounds; write it back
with embit.

The reading is ours, on purpose (docs/dependencies.md, "Protocol code we still write"):
embit's reader accepts short reads, truncated key origins, PSBT v2 fields in a v0 PSBT
and a zero-input transaction read as a segwit marker, and has no size bounds.
"""

from __future__ import annotations

import base64
import binascii
import struct
from io import BytesIO

from embit import bip32, ec
from embit.psbt import PSBT, DerivationPath, InputScope, OutputScope, ser_string
from embit.script import Script
from embit.transaction import Transaction, TransactionInput, TransactionOutput

from signer.chains.bitcoin.settings import Settings
from signer.chains.bitcoin.wire import Cursor, WireError, read_transaction, read_witness
from signer.errors import BadInput

MAGIC = b"psbt\xff"
# PSBT v2 (BIP370) fields have no place in a v0 PSBT: embit would let an input's 0x0e
# key silently replace the outpoint of the unsigned transaction.
_V2_GLOBAL = {0x02, 0x03, 0x04, 0x05, 0x06}
_V2_INPUT = {0x0E, 0x0F, 0x10, 0x11, 0x12}
_V2_OUTPUT = {0x03, 0x04}

Pairs = list[tuple[bytes, bytes]]


class PsbtInput(InputScope):
    """embit's input scope, except that sequence 0 stays 0 (embit turns it into 0xffffffff)."""

    @property
    def vin(self) -> TransactionInput:
        sequence = 0xFFFFFFFF if self.sequence is None else self.sequence
        return TransactionInput(self.txid, self.vout, sequence=sequence)


class Psbt(PSBT):
    """embit's PSBT, except that transaction version 0 stays 0 and inputs keep sequence 0."""

    PSBTIN_CLS = PsbtInput

    @property
    def tx(self) -> Transaction:
        return Transaction(
            version=2 if self.tx_version is None else self.tx_version,
            locktime=self.locktime or 0,
            vin=[inp.vin for inp in self.inputs],
            vout=[out.vout for out in self.outputs],
        )


def _read_map(cursor: Cursor, what: str) -> Pairs:
    pairs: Pairs = []
    seen: set[bytes] = set()
    while True:
        key = cursor.var_bytes(f"{what} key")
        if not key:
            return pairs
        if key in seen:
            raise WireError(f"{what}: duplicate key {key.hex()}")
        seen.add(key)
        pairs.append((key, cursor.var_bytes(f"{what} value of key {key.hex()}")))


def _global(pairs: Pairs, settings: Settings) -> tuple[Psbt, Transaction]:
    tx = None
    psbt_xpubs = {}
    unknown: dict[bytes, bytes] = {}
    for key, value in pairs:
        if key[0] == 0x00:
            if len(key) != 1:
                raise WireError("global unsigned transaction: key must be the single byte 0x00")
            tx = read_transaction(
                value,
                "unsigned transaction",
                unsigned=True,
                max_inputs=settings.max_inputs,
                max_outputs=settings.max_outputs,
            )
        elif key[0] == 0x01:
            if len(key) != 79:
                raise WireError("global xpub: key must be 0x01 + 78-byte extended key")
            _check_derivation(value, "global xpub")
            try:
                xpub = bip32.HDKey.parse(key[1:])
            except Exception as exc:  # embit's own error types and ValueErrors alike
                raise WireError(f"global xpub: not a valid extended key ({exc})") from None
            psbt_xpubs[xpub] = DerivationPath.parse(value)
        elif key[0] == 0xFB:
            if len(key) != 1 or len(value) != 4 or int.from_bytes(value, "little") != 0:
                raise WireError("global version: only PSBT version 0 is supported")
        elif key[0] in _V2_GLOBAL:
            raise WireError(f"global key type 0x{key[0]:02x} belongs to PSBT v2, not v0")
        else:
            unknown[key] = value
    if tx is None:
        raise WireError("global map: the unsigned transaction (key 0x00) is missing")
    psbt = Psbt(None, unknown={})  # its scopes are read next, not made from the tx
    psbt.tx_version, psbt.locktime = tx.version, tx.locktime
    psbt.unknown = unknown
    psbt.xpubs.update(psbt_xpubs)
    return psbt, tx


def _check_derivation(value: bytes, what: str) -> None:
    """BIP-174 key origin: a 4-byte fingerprint, then 4 bytes per path index (embit would
    take fewer bytes as a shorter fingerprint)."""
    if len(value) < 4 or len(value) % 4:
        raise WireError(f"{what}: key origin must be a 4-byte fingerprint and 4-byte indexes, "
                        f"got {len(value)} bytes")


class SecKey(ec.PublicKey):
    """embit's public key that keeps the SEC encoding it was read from.

    embit asks libsecp256k1 to serialise the point again every time sec() is called, and
    it is called many times per draft: writing the PSBT, reviewing it, comparing dict
    keys. Reading accepts only 02/03/04 encodings of valid points, which serialise back
    to exactly the bytes read.
    """

    _sec: bytes

    @classmethod
    def from_sec(cls, encoded: bytes) -> SecKey:
        key = cls.parse(encoded)  # embit's checks and errors, unchanged
        key._sec = bytes(encoded)
        return key

    def sec(self) -> bytes:
        return self._sec


def _derivation_entry(
    entries: dict[ec.PublicKey, DerivationPath], key: bytes, value: bytes, what: str
) -> None:
    """A BIP32 derivation (key type 0x06 in, 0x02 out): embit's rules, read directly."""
    _check_derivation(value, f"{what} bip32 derivation")
    pub = _sec_key(key, what)
    if pub in entries:
        raise WireError(f"{what}: key type 0x{key[0]:02x}: Duplicated derivation path")
    indexes = list(struct.unpack(f"<{len(value) // 4 - 1}I", value[4:]))
    entries[pub] = DerivationPath(value[:4], indexes)


def _sec_key(key: bytes, what: str) -> SecKey:
    try:
        return SecKey.from_sec(key[1:])
    except Exception as exc:  # embit's own error types and ValueErrors alike
        raise WireError(f"{what}: key type 0x{key[0]:02x}: {exc}") from None


def _framed(value: bytes) -> bytes:
    stream = BytesIO()
    ser_string(stream, value)
    return stream.getvalue()


def _read_value(scope: InputScope | OutputScope, key: bytes, value: bytes, what: str) -> None:
    try:
        scope.read_value(BytesIO(_framed(value)), key)
    except Exception as exc:  # embit's own error types and ValueErrors alike
        raise WireError(f"{what}: key type 0x{key[0]:02x}: {exc}") from None


def _input(pairs: Pairs, tx: Transaction, index: int) -> PsbtInput:
    scope = PsbtInput({}, vin=tx.vin[index])
    what = f"input {index}"
    for key, value in pairs:
        if key[0] in _V2_INPUT:
            raise WireError(f"{what}: key type 0x{key[0]:02x} belongs to PSBT v2, not v0")
        if key[0] == 0x00 and len(key) == 1:
            scope.non_witness_utxo = read_transaction(
                value,
                f"{what} non_witness_utxo",
                unsigned=False,
                max_inputs=len(value),
                max_outputs=len(value),
            )
        elif key[0] == 0x08 and len(key) == 1:
            cursor = Cursor(value)
            scope.final_scriptwitness = read_witness(cursor, f"{what} final_scriptwitness")
            cursor.finish(f"{what} final_scriptwitness")
        elif key == b"\x01":
            scope.witness_utxo = _output_value(value, f"{what} witness_utxo")
        elif key == b"\x05":
            scope.witness_script = Script(value)
        elif key[0] == 0x06:
            _derivation_entry(scope.bip32_derivations, key, value, what)
        elif key[0] == 0x02:
            pub = _sec_key(key, what)
            if pub in scope.partial_sigs:
                raise WireError(f"{what}: key type 0x02: Duplicated partial sig")
            scope.partial_sigs[pub] = value
        else:
            _read_value(scope, key, value, what)
    return scope


def _output_value(value: bytes, what: str) -> TransactionOutput:
    """A previous output: 8-byte amount, then its script (embit's reading, done here)."""
    cursor = Cursor(value)
    amount = int.from_bytes(cursor.read(8, f"{what} amount"), "little")
    output = TransactionOutput(amount, Script(cursor.var_bytes(f"{what} script")))
    cursor.finish(what)
    return output


def _output(pairs: Pairs, tx: Transaction, index: int) -> OutputScope:
    scope = OutputScope({}, vout=tx.vout[index])
    for key, value in pairs:
        if key[0] in _V2_OUTPUT:
            raise WireError(f"output {index}: key type 0x{key[0]:02x} belongs to PSBT v2, not v0")
        if key[0] == 0x02:
            _derivation_entry(scope.bip32_derivations, key, value, f"output {index}")
        elif key == b"\x01":
            scope.witness_script = Script(value)
        else:
            _read_value(scope, key, value, f"output {index}")
    return scope


def _binary(data: bytes | str, source: str, settings: Settings) -> bytes:
    if isinstance(data, bytes) and data.startswith(MAGIC):
        raw = data
    else:
        text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
        if len(text) > settings.max_bytes * 4 // 3 + 8:
            raise _malformed(source, f"text longer than {settings.max_bytes} bytes of PSBT")
        try:
            raw = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise _malformed(source, "neither a binary PSBT nor base64 text") from None
    if len(raw) > settings.max_bytes:
        raise _malformed(source, f"{len(raw)} bytes, the limit is {settings.max_bytes}")
    return raw


def _malformed(source: str, what: str) -> BadInput:
    return BadInput("psbt_malformed", f"{source}: not a valid PSBT v0 (BIP174): {what}")


def read_psbt(data: bytes | str, source: str = "PSBT", settings: Settings | None = None) -> Psbt:
    """Parse a binary or base64 PSBT v0; every defect raises BadInput ``psbt_malformed``."""
    settings = settings or Settings()
    raw = _binary(data, source, settings)
    cursor = Cursor(raw)
    try:
        if cursor.read(len(MAGIC), "magic") != MAGIC:
            raise WireError("does not start with the magic bytes 'psbt' 0xff")
        psbt, tx = _global(_read_map(cursor, "global map"), settings)
        psbt.inputs = [_input(_read_map(cursor, f"input {i}"), tx, i) for i in range(len(tx.vin))]
        psbt.outputs = [
            _output(_read_map(cursor, f"output {i}"), tx, i) for i in range(len(tx.vout))
        ]
        cursor.finish("PSBT")
    except BadInput:
        raise
    except Exception as exc:  # every library failure is a malformed draft
        raise _malformed(source, str(exc) or type(exc).__name__) from None
    return psbt


def psbt_bytes(psbt: PSBT) -> bytes:
    """Binary serialisation (the ``.psbt`` file, stored payloads): embit's own.

    A ``Psbt`` read here writes its transaction version and sequences as read (see
    ``Psbt.tx``); the bytes equal what the hand-written writer before it recorded
    (tests/bitcoin/test_psbt_writer_recorded.py).
    """
    return bytes(psbt.serialize())


def psbt_text(psbt: PSBT) -> str:
    """Base64 serialisation (the ``.psbt.txt`` file, QR payloads)."""
    return base64.b64encode(psbt_bytes(psbt)).decode("ascii")
