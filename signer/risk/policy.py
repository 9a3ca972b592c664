"""The risk policy file as frozen, strict pydantic models (FORMATS.md "Policy file")."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

from signer.chains import kinds
from signer.chains.ethereum.address_form import normalise_ethereum
from signer.chains.proof.message_rules import (
    DEFAULT_MAX_LENGTH,
    MAX_LENGTH_LIMIT,
    MAX_PREFIXES,
    ProofRules,
    prefix_problem,
)
from signer.risk.codes import ConfigurableCode
from signer.risk.durations import parse_duration

_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,29})(\.[0-9]{1,36})?")


class FieldProblem(ValueError):
    """A cross-field problem found by a model validator, located below that model."""

    def __init__(self, path: tuple[str | int, ...], expected: str) -> None:
        super().__init__(expected)
        self.path = path
        self.expected = expected


def _amount(value: object) -> Decimal:
    if not isinstance(value, str) or _AMOUNT.fullmatch(value) is None:
        raise ValueError('a positive decimal string like "2.5" (quoted; no exponent)')
    amount = Decimal(value)
    if amount <= 0:
        raise ValueError("an amount greater than zero")
    return amount


def _number(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("a positive number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("a positive number") from exc
    if not number.is_finite() or number <= 0:
        raise ValueError("a positive finite number")
    return number


def _contract(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("an Ethereum contract address string")
    return normalise_ethereum(value)


def _kind_name(value: object) -> str:
    if not isinstance(value, str) or value not in kinds.names():
        raise ValueError("one of " + " or ".join(repr(name) for name in kinds.names()))
    return value


def _relative_path(value: object) -> str:
    if not isinstance(value, str) or not value or "\x00" in value:
        raise ValueError("a file name relative to the policy file")
    return value


def _proof_prefix(value: object) -> str:
    problem = prefix_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return str(value)


Amount = Annotated[Decimal, BeforeValidator(_amount)]
Number = Annotated[Decimal, BeforeValidator(_number)]
Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Contract = Annotated[str, BeforeValidator(_contract)]
ListFile = Annotated[str, BeforeValidator(_relative_path)]
Symbol = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{1,11}$")]
ProofPrefix = Annotated[str, BeforeValidator(_proof_prefix)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(_Section):
    """A rolling window: signed amounts plus this draft may not exceed these."""

    period: Duration
    max_total: Amount
    max_count: Annotated[StrictInt, Field(ge=1, le=1_000_000)]


class AssetPolicy(_Section):
    """Limits for one asset: BTC, ETH, or an ERC-20 token named by its contract."""

    chain: Annotated[str, BeforeValidator(_kind_name)]
    contract: Contract | None = None
    decimals: Annotated[StrictInt, Field(ge=0, le=36)] | None = None
    max_per_draft: Amount
    windows: Annotated[tuple[Window, ...], Field(min_length=1, max_length=16)]
    max_fee: Amount | None = None
    max_fee_percent: Annotated[Number, Field(le=100)] | None = None
    max_fee_rate: Number | None = None

    @property
    def unit_decimals(self) -> int:
        """Decimal places of one base unit (satoshi, wei, token base unit)."""
        if self.decimals is not None:
            return self.decimals
        return kinds.kind(self.chain).native_decimals

    @model_validator(mode="after")
    def _chain_rules(self) -> AssetPolicy:
        problem = kinds.kind(self.chain).asset_problem(self.contract, self.decimals,
                                                       self.max_fee_rate is not None)
        if problem is not None:
            raise FieldProblem((problem[0],), problem[1])
        self._check_precision()
        return self

    def _check_precision(self) -> None:
        places = self.unit_decimals
        expected = f"at most {places} decimal places (one base unit of this asset)"
        amounts: list[tuple[tuple[str | int, ...], Decimal | None]] = [
            (("max_per_draft",), self.max_per_draft),
            (("max_fee",), self.max_fee),
        ]
        amounts += [(("windows", i, "max_total"), w.max_total) for i, w in enumerate(self.windows)]
        for path, amount in amounts:
            if amount is not None and -amount.as_tuple().exponent > places:  # type: ignore[operator]
                raise FieldProblem(path, expected)


class Destinations(_Section):
    """Where funds may go: list files relative to the policy file, and first-time handling."""

    allowlist: ListFile | None = None
    denylist: ListFile | None = None
    first_time: Literal["delay", "allow", "reject"] = "delay"


class Anomaly(_Section):
    """Amount and burst anomalies (both delay by default)."""

    median_factor: Annotated[Number, Field(ge=1)] = Decimal(10)
    median_window: Annotated[StrictInt, Field(ge=1, le=10_000)] = 50
    burst_count: Annotated[StrictInt, Field(ge=1, le=1_000_000)] = 20
    burst_period: Duration = timedelta(minutes=10)


class CircuitBreaker(_Section):
    """More than ``max_flagged`` flagged drafts within ``period`` halts signing until reset."""

    max_flagged: Annotated[StrictInt, Field(ge=0, le=1_000_000)] = 5
    period: Duration = timedelta(hours=1)


class Velocity(_Section):
    """Whether a draft abandoned after signing still counts in the windows. Counted by
    default: its signed transaction may still be broadcast (docs/risk-policy.md)."""

    count_abandoned: StrictBool = True


class VerdictOverrides(_Section):
    """Findings whose default outcome the operator changes (docs/risk-policy.md)."""

    reject: tuple[ConfigurableCode, ...] = ()
    delay: tuple[ConfigurableCode, ...] = ()

    @model_validator(mode="after")
    def _disjoint(self) -> VerdictOverrides:
        for index, code in enumerate(self.delay):
            if code in self.reject:
                raise FieldProblem(("delay", index), f"{code!r} in only one of reject/delay")
        return self


class EthereumPolicy(_Section):
    """How a Safe transaction must be able to execute (docs/risk-policy.md, [ethereum])."""

    # Mainnet's block gas limit; safeTxGas and baseGas beyond one block can never execute.
    block_gas_limit: Annotated[StrictInt, Field(ge=1_000_000, le=1_000_000_000)] = 30_000_000
    # Off: gasPrice, baseGas, gasToken and refundReceiver must be zero (no refund is paid).
    allow_refunds: StrictBool = False
    max_refund: Amount | None = None  # ETH: the most one execution may pay as a refund

    @model_validator(mode="after")
    def _refund_bound(self) -> EthereumPolicy:
        if self.allow_refunds and self.max_refund is None:
            raise FieldProblem(("max_refund",), "the most ETH one refund may pay (allow_refunds)")
        if self.max_refund is not None and -self.max_refund.as_tuple().exponent > 18:  # type: ignore[operator]
            raise FieldProblem(("max_refund",), "at most 18 decimal places (one wei)")
        return self

    @property
    def max_refund_wei(self) -> int | None:
        return None if self.max_refund is None else int(self.max_refund * 10**18)


class BitcoinRules(_Section):
    """Chain rules for Bitcoin drafts (docs/risk-policy.md)."""

    # A height-based nLockTime above it is refused (locktime_too_high); absent: only 0.
    # Set it a margin above the chain's current height, for anti-fee-sniping drafts.
    max_locktime_height: Annotated[StrictInt, Field(ge=0, le=499_999_999)] | None = None


class ProofsPolicy(_Section):
    """Which messages may be signed as proofs of reserves (docs/risk-policy.md, [proofs]):
    without this table no proof is signed."""

    prefixes: Annotated[tuple[ProofPrefix, ...], Field(min_length=1, max_length=MAX_PREFIXES)]
    max_length: Annotated[StrictInt, Field(ge=1, le=MAX_LENGTH_LIMIT)] = DEFAULT_MAX_LENGTH

    @property
    def rules(self) -> ProofRules:
        return ProofRules(self.prefixes, self.max_length)


class PolicyDocument(_Section):
    """The whole policy file."""

    version: Literal[1]
    default_delay: Duration = timedelta(hours=24)
    accept_plain_drafts: StrictBool = False
    assets: Annotated[dict[Symbol, AssetPolicy], Field(min_length=1)]
    destinations: Destinations = Destinations()
    anomaly: Anomaly = Anomaly()
    circuit_breaker: CircuitBreaker = CircuitBreaker()
    velocity: Velocity = Velocity()
    verdicts: VerdictOverrides = VerdictOverrides()
    ethereum: EthereumPolicy = EthereumPolicy()
    bitcoin: BitcoinRules = BitcoinRules()
    proofs: ProofsPolicy | None = None

    @model_validator(mode="after")
    def _one_asset_per_token(self) -> PolicyDocument:
        seen: dict[tuple[str, str | None], str] = {}
        for symbol, asset in self.assets.items():
            token = (asset.chain, asset.contract)
            if token in seen:
                what = "contract" if asset.contract else "chain"
                raise FieldProblem(
                    ("assets", symbol, what), f"a token not already described by {seen[token]}"
                )
            seen[token] = symbol
        return self
