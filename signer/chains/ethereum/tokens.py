"""Registered ERC-20 tokens and how amounts are written for operators."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from signer.chains.ethereum.fields import parse_address
from signer.errors import bad_input

UNLIMITED = 2**256 - 1  # the conventional "infinite approval" amount


@dataclass(frozen=True)
class Token:
    """An ERC-20 token the appliance knows: the only tokens it will decode amounts for."""

    symbol: str
    decimals: int
    contract: str
    chain_id: int

    def __post_init__(self) -> None:
        where = f"token {self.symbol}"
        if not self.symbol or not self.symbol.isprintable():
            raise bad_input(where, "symbol", "a non-empty printable symbol")
        if not 0 <= self.decimals <= 77:
            raise bad_input(where, "decimals", "an integer 0..77")
        object.__setattr__(self, "contract", parse_address(self.contract, where, "contract"))


class TokenRegistry:
    """Tokens looked up by (chain id, contract address)."""

    def __init__(self, tokens: Iterable[Token] = ()) -> None:
        self._tokens: dict[tuple[int, str], Token] = {}
        for token in tokens:
            key = (token.chain_id, token.contract.lower())
            if key in self._tokens:
                raise bad_input(
                    f"token {token.symbol}", "contract", "one registration per contract and chain"
                )
            self._tokens[key] = token

    def find(self, chain_id: int, contract: str) -> Token | None:
        """The registered token at ``contract`` on ``chain_id``, if any."""
        return self._tokens.get((chain_id, contract.lower()))

    def __len__(self) -> int:
        return len(self._tokens)


def units(amount: int, decimals: int) -> str:
    """Exact decimal string in the asset's unit: 25000000000, 6 -> "25000"; 1.5e18, 18 -> "1.5"."""
    whole, fraction = divmod(amount, 10**decimals)
    digits = str(fraction).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{whole}.{digits}" if digits else str(whole)


def amount_words(amount: int, decimals: int) -> str:
    """Grouped, at least two decimals, never rounded: "25,000.00", "1.50", "0.000001"."""
    if amount == UNLIMITED:
        return "unlimited"
    whole, _, fraction = units(amount, decimals).partition(".")
    return f"{int(whole):,}.{fraction.ljust(2, '0')}"
