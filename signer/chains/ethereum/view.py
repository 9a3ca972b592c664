"""What a Safe transaction does, in the operator's terms: the decoded calls and one line each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ETH_TRANSFER = "eth_transfer"
ERC20_TRANSFER = "erc20_transfer"
ERC20_TRANSFER_FROM = "erc20_transfer_from"
ERC20_APPROVE = "erc20_approve"
ERC20_INCREASE_ALLOWANCE = "erc20_increase_allowance"
SELF_CALL = "self_call"
DELEGATECALL = "delegatecall"
UNKNOWN_CALL = "unknown_call"

ERC20_ACTIONS = frozenset(
    {ERC20_TRANSFER, ERC20_TRANSFER_FROM, ERC20_APPROVE, ERC20_INCREASE_ALLOWANCE}
)
TRANSFERS = frozenset({ETH_TRANSFER, ERC20_TRANSFER})


@dataclass(frozen=True)
class DecodedCall:
    """One call the Safe makes: the top-level call, or one inner call of a batch (index >= 1)."""

    index: int  # 0: the Safe transaction itself; 1..n: position inside a MultiSend batch
    operation: int  # 0 call, 1 delegatecall
    to: str
    value: int  # wei sent along
    data: bytes
    action: str  # one of the action constants above
    words: str  # one line for the review screen, e.g. "Transfer 25,000.00 USDT to 0xAb12…c39F"
    function: str | None = None  # decoded or recognised function name
    asset: str | None = None  # "ETH" or the registered token symbol
    amount: str | None = None  # decimal string in the asset's unit ("25000", "1.5")
    amount_base: int | None = None  # the same amount in the smallest unit
    destination: str | None = None  # recipient (transfers) or spender (approvals)
    sender: str | None = None  # the `from` of transferFrom

    def to_json(self) -> dict[str, Any]:
        """JSON form for `show` and the audit journal."""
        return {
            "index": self.index,
            "operation": self.operation,
            "to": self.to,
            "value": str(self.value),
            "data": "0x" + self.data.hex(),
            "action": self.action,
            "function": self.function,
            "asset": self.asset,
            "amount": self.amount,
            "destination": self.destination,
            "sender": self.sender,
            "words": self.words,
        }


@dataclass(frozen=True)
class OperatorView:
    """The decoded Safe transaction, with the hash recomputed by the appliance."""

    safe: str
    chain_id: int
    safe_version: str
    nonce: int
    safe_tx_hash: bytes
    calls: tuple[DecodedCall, ...]
    batch_library: str | None = None  # the trusted MultiSend library when this is a batch

    @property
    def words(self) -> tuple[str, ...]:
        """One line per call, batch calls numbered."""
        if self.batch_library is None:
            return tuple(c.words for c in self.calls)
        n = len(self.calls)
        return tuple(f"[{c.index}/{n}] {c.words}" for c in self.calls)

    @property
    def transfer(self) -> DecodedCall | None:
        """The single ETH or ERC-20 transfer this transaction makes, if that is all it does."""
        if len(self.calls) == 1 and self.calls[0].action in TRANSFERS:
            return self.calls[0]
        return None

    def to_json(self) -> dict[str, Any]:
        """JSON form for `show` and the audit journal."""
        return {
            "safe": self.safe,
            "chainId": self.chain_id,
            "safeVersion": self.safe_version,
            "nonce": self.nonce,
            "safeTxHash": "0x" + self.safe_tx_hash.hex(),
            "batchLibrary": self.batch_library,
            "calls": [c.to_json() for c in self.calls],
            "words": list(self.words),
        }
