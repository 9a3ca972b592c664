"""The ceremony file (``ceremony.toml``): strict, frozen models validated before any HSM call."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from eth_utils import is_checksum_address
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from signer.errors import BadInput
from signer.operator_files import read_small_file
from signer.store.toml_text import parse_toml

HOLDER_IDS = ("A", "B", "C")
MAX_GROUPS = 16  # SLIP-39: 4-bit group count
MAX_SHARES = 16  # SLIP-39: 4-bit member count
MAX_KEYS = 1000
SafeVersion = Literal["1.0.0", "1.1.0", "1.1.1", "1.2.0", "1.3.0", "1.4.0", "1.4.1"]
SAFE_VERSIONS: tuple[str, ...] = get_args(SafeVersion)
_WALLET_NAME = re.compile(r"[a-z0-9-]{1,32}")
# Names are printed on share cards: printable, no control characters, no surrounding blanks.
_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,64}")
# PKCS#11 labels are 32 bytes, blank-padded: printable ASCII, no surrounding blanks.
_TOKEN_LABEL = re.compile(r"[\x20-\x7e]{1,32}")


def _fail(expected: str, at: str = "") -> PydanticCustomError:
    """A validation error; ``at`` extends the field path below the validated field."""
    return PydanticCustomError("airsign", "expected {expected}", {"expected": expected, "at": at})


def _matching(pattern: re.Pattern[str], expected: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value) or value != value.strip():
            raise _fail(f"{expected}, got {value[:40]!r}")
        return value

    return AfterValidator(check)


Name = Annotated[StrictStr, _matching(_NAME, "1-64 printable characters")]
TokenLabel = Annotated[StrictStr, _matching(_TOKEN_LABEL, "a token label of 1-32 ASCII characters")]
WalletName = Annotated[StrictStr, _matching(_WALLET_NAME, "1-32 characters from a-z, 0-9, '-'")]
KeyCount = Annotated[StrictInt, Field(ge=1, le=MAX_KEYS)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Group(_Strict):
    """One SLIP-39 group: ``threshold`` of ``count`` custodians' shares rebuild it."""

    count: Annotated[StrictInt, Field(ge=1, le=MAX_SHARES)]
    threshold: StrictInt
    custodians: tuple[Name, ...]

    @field_validator("threshold")
    @classmethod
    def _threshold(cls, value: int, info: ValidationInfo) -> int:
        count = info.data.get("count")
        if count is None:
            return value
        if not 1 <= value <= count:
            raise _fail(f"1 <= threshold <= count ({count}), got {value}")
        if value == 1 and count != 1:
            raise _fail("threshold 1 only with count 1 (SLIP-39 allows no 1-of-n group)")
        return value

    @field_validator("custodians")
    @classmethod
    def _custodians(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        count = info.data.get("count")
        if count is not None and len(value) != count:
            raise _fail(f"{count} custodian names (one per share), got {len(value)}")
        return value


class Backup(_Strict):
    """A holder's SLIP-39 scheme: ``group_threshold`` of the groups rebuild the master secret."""

    groups: Annotated[tuple[Group, ...], Field(min_length=1, max_length=MAX_GROUPS)]
    group_threshold: StrictInt
    passphrase: StrictBool = False

    @field_validator("group_threshold")
    @classmethod
    def _group_threshold(cls, value: int, info: ValidationInfo) -> int:
        groups = info.data.get("groups")
        if groups is not None and not 1 <= value <= len(groups):
            raise _fail(f"1 <= group_threshold <= number of groups ({len(groups)}), got {value}")
        return value

    @field_validator("groups")
    @classmethod
    def _distinct_custodians(cls, groups: tuple[Group, ...]) -> tuple[Group, ...]:
        # One person holding two shares of a holder's backup silently lowers its threshold.
        seen: set[str] = set()
        for g, group in enumerate(groups):
            for c, custodian in enumerate(group.custodians):
                if custodian in seen:
                    raise _fail(f"distinct custodians, {custodian!r} appears twice",
                                f"[{g}].custodians[{c}]")
                seen.add(custodian)
        return groups

    @property
    def share_count(self) -> int:
        return sum(group.count for group in self.groups)


class Holder(_Strict):
    """A key holder: who they are, which token holds their keys, how their secret is backed up."""

    id: Literal["A", "B", "C"]
    name: Name
    token: TokenLabel
    backup: Backup


class Bitcoin(_Strict):
    """The Bitcoin wallet: network, BIP48 account and the child-key pools imported into tokens."""

    network: Literal["mainnet", "testnet", "signet", "regtest"]
    account: Annotated[StrictInt, Field(ge=0, lt=2**31)]
    receive_keys: KeyCount
    change_keys: KeyCount

    @property
    def coin_type(self) -> int:
        return 0 if self.network == "mainnet" else 1


class Ethereum(_Strict):
    """The Ethereum Safe: chain, Safe version and, once deployed, its address."""

    chain_id: Annotated[StrictInt, Field(gt=0, lt=2**63)]
    safe_version: SafeVersion
    safe_address: StrictStr | None = None

    @field_validator("safe_address")
    @classmethod
    def _eip55(cls, value: str | None) -> str | None:
        if value is not None and not is_checksum_address(value):
            raise _fail("an EIP-55 checksummed address (0x + 40 hex digits, mixed case)")
        return value


class CeremonyPlan(_Strict):
    """The whole ceremony file, validated."""

    wallet: WalletName
    master_secret_bits: Literal[128, 256] = 256
    holder: tuple[Holder, ...]
    bitcoin: Bitcoin
    ethereum: Ethereum | None = None

    @field_validator("holder")
    @classmethod
    def _three_holders(cls, holders: tuple[Holder, ...]) -> tuple[Holder, ...]:
        ids = [h.id for h in holders]
        for i, holder in enumerate(holders):
            if ids.index(holder.id) != i:
                raise _fail(f"each holder id once, {holder.id!r} repeats", f"[{i}].id")
        missing = [h for h in HOLDER_IDS if h not in ids]
        if missing:
            raise _fail(f"holders A, B and C, missing {', '.join(missing)}")
        labels = [h.token for h in holders]
        for i, holder in enumerate(holders):
            if labels.index(holder.token) != i:
                raise _fail(f"a token label not used by another holder, {holder.token!r}",
                            f"[{i}].token")
        return holders

    def holder_by_id(self, holder_id: str) -> Holder:
        """The holder with id ``A``, ``B`` or ``C``."""
        return next(h for h in self.holder if h.id == holder_id)

    @property
    def master_secret_bytes(self) -> int:
        return self.master_secret_bits // 8


def field_path(loc: tuple[int | str, ...], at: str = "") -> str:
    """``('holder', 1, 'backup')`` -> ``holder[1].backup`` (plus a sub-path from a validator)."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    if at:
        path += at if at.startswith("[") else f".{at}"
    return path or "(top level)"


def _expectation(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "a value (the field is missing)"
    if kind == "extra_forbidden":
        return "no such field (unknown key; check the spelling)"
    if kind == "airsign":
        return str(error["ctx"]["expected"])
    if kind in ("too_long", "too_short"):
        ctx = error["ctx"]
        if kind == "too_long":
            return f"at most {ctx['max_length']} entries (got {ctx['actual_length']})"
        return f"at least {ctx['min_length']} entries (got {ctx['actual_length']})"
    message = str(error["msg"]).removeprefix("Input should be ").removeprefix("Value error, ")
    got = repr(error.get("input"))
    return f"{message} (got {got[:40]})"


def _loc(error: Any) -> tuple[int | str, ...]:
    # Pydantic adds the union member's name ('Ethereum') to the location of optional sections.
    return tuple(p for p in error["loc"] if p not in ("Ethereum", "str"))


def describe(error: ValidationError, where: str) -> BadInput:
    """One BadInput listing every problem as ``<file>: field '<path>': expected <what>``."""
    lines = []
    for item in error.errors():
        at = item.get("ctx", {}).get("at", "") if item["type"] == "airsign" else ""
        path = field_path(_loc(item), at)
        lines.append(f"{where}: field '{path}': expected {_expectation(item)}")
    return BadInput("bad_ceremony_file", "\n".join(lines))


def parse_ceremony(text: str, where: str = "ceremony file") -> CeremonyPlan:
    """Validate ceremony TOML text; ``where`` names the source in messages."""
    data = parse_toml(text, where, "bad_ceremony_file")
    try:
        return CeremonyPlan.model_validate(data)
    except ValidationError as exc:
        raise describe(exc, where) from None


MAX_CEREMONY_FILE = 256 * 1024


def load_ceremony(path: str | Path) -> CeremonyPlan:
    """Read and validate a ceremony file; every problem is a BadInput naming file and field."""
    return read_ceremony_file(path)[0]


def read_ceremony_file(path: str | Path) -> tuple[CeremonyPlan, str]:
    """The validated plan and the SHA-256 of exactly the bytes validated (read once: the
    hash read aloud and journaled is of the file that was checked)."""
    where = str(path)
    raw = read_small_file(Path(path), MAX_CEREMONY_FILE, "bad_ceremony_file", where)
    return _parse_bytes(raw, where), hashlib.sha256(raw).hexdigest()


def _parse_bytes(raw: bytes, where: str) -> CeremonyPlan:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(
            "bad_ceremony_file", f"{where}: expected UTF-8 text, bad byte at offset {exc.start}"
        ) from None
    return parse_ceremony(text, where)
