"""Only what can execute is signed: the gas and refund fields a real Safe execution needs.

The bounds and the on-chain reasons for them are in docs/risk-policy.md ("Safe execution
bounds"); tests/ethereum/test_safe_execution_onchain.py runs every refused shape on the
real Safe 1.1.1 and 1.4.1 bytecode.
"""

from __future__ import annotations

from signer.chains.ethereum.fields import ZERO_ADDRESS, same_address
from signer.chains.ethereum.safe_tx import SafeTx
from signer.chains.ethereum.settings import Settings
from signer.chains.finding import Finding

# Gas spent before the Safe checks it can give the call safeTxGas, measured on the real
# 1.1.1 and 1.4.1 bytecode with two owners (about 80,000 with empty data): the 21,000 every
# transaction pays, the signatures checked, the nonce stored and the data hashed; kept
# generous. Each byte of data costs up to about 28 more (calldata, the event's copy,
# hashing): 32 are allowed.
BEFORE_THE_CHECK = 100_000
PER_DATA_BYTE = 32
# Gas the Safe spends around the call that a refund also pays for (gasUsed > safeTxGas):
# the CALL itself, a value transfer to a new account (34,000) and the Safe's event.
REFUND_OVERHEAD = 50_000
# Before 1.3.0 a non-zero safeTxGas is all the gas the call gets. A token transfer needs
# up to ~65,000 (a new balance slot costs 20,000 alone); below this floor it can run out.
MIN_CALL_GAS = 100_000


def reverts_failed_calls(safe_version: str) -> bool:
    """1.3.0+ reverts a failed call when safeTxGas and gasPrice are 0 (GS013): nonce kept."""
    major, minor, _ = (int(part) for part in safe_version.split("."))
    return (major, minor) >= (1, 3)


def max_safe_tx_gas(block_gas_limit: int, data_bytes: int = 0) -> int:
    """The largest safeTxGas a call can still receive inside one block.

    A Safe is a proxy: its delegatecall to the singleton forwards at most 63/64 of the gas
    left (EIP-150), and 1.3.0+ then asks for safeTxGas x 64/63 (GS010); above this, no
    block can hold the execution (tests/ethereum/test_safe_hostile_shapes.py runs it at
    the bound on 1.1.1 and 1.4.1).
    """
    left = block_gas_limit - BEFORE_THE_CHECK - PER_DATA_BYTE * data_bytes
    return max(0, left * 63 // 64 * 63 // 64)


def execution_findings(tx: SafeTx, settings: Settings) -> list[Finding]:
    """Gas and refund fields outside what a real execution needs; empty when executable."""
    found: list[Finding] = []
    limit = settings.block_gas_limit
    most = max_safe_tx_gas(limit, len(tx.data))
    if tx.safe_tx_gas > most:
        found.append(Finding(
            "safe_tx_gas_limit",
            f"safeTxGas {tx.safe_tx_gas} is above {most}, the most a call can receive in a "
            f"block of {limit} gas with {len(tx.data)} bytes of data: the Safe can never "
            "execute it and its nonce stays blocked",
        ))  # fmt: skip
    elif tx.gas_price == 0 and tx.safe_tx_gas != 0 and reverts_failed_calls(tx.safe_version):
        found.append(Finding(
            "safe_tx_gas",
            f"safeTxGas {tx.safe_tx_gas} with gasPrice 0 on Safe {tx.safe_version}; expected 0: "
            "a non-zero safeTxGas turns off the Safe's revert of a failed call (GS013), so "
            "whoever executes it can give the call too little gas and the Safe consumes the "
            "nonce without moving the funds",
        ))  # fmt: skip
    elif tx.gas_price == 0 and 0 < tx.safe_tx_gas < MIN_CALL_GAS:
        found.append(Finding(
            "safe_tx_gas",
            f"safeTxGas {tx.safe_tx_gas} with gasPrice 0 on Safe {tx.safe_version}; expected 0 "
            f"(all the gas given) or at least {MIN_CALL_GAS}: the call gets only safeTxGas "
            "gas, runs out, and the Safe consumes the nonce without moving the funds",
        ))  # fmt: skip
    elif tx.gas_price != 0 and tx.safe_tx_gas == 0 and settings.allow_refund_params:
        # (Without refunds allowed, refund_params already refuses any gasPrice.)
        found.append(Finding(
            "safe_tx_gas",
            f"safeTxGas 0 with gasPrice {tx.gas_price}: with a refund the call gets exactly "
            "safeTxGas gas, so it fails while the nonce is consumed and the refund paid",
        ))  # fmt: skip
    if tx.base_gas > limit:
        found.append(Finding(
            "base_gas_limit",
            f"baseGas {tx.base_gas} is above the block gas limit {limit}: it stands for gas "
            "spent outside the call, which no block holds; a refund of it empties the Safe or "
            "reverts, and the nonce stays blocked",
        ))  # fmt: skip
    if not settings.allow_refund_params:
        found += _refund(tx, limit)
    elif settings.max_refund_wei is not None:
        found += _refund_bound(tx, settings.max_refund_wei)
    return found


def _refund(tx: SafeTx, limit: int) -> list[Finding]:
    # A non-zero gasPrice pays the refund receiver out of the Safe, in ETH or gasToken; the
    # other fields only count toward such a refund, so without one they must be zero too.
    parts = []
    if tx.gas_price:
        parts.append(f"gasPrice {tx.gas_price} (baseGas {tx.base_gas}, safeTxGas {tx.safe_tx_gas})")
    elif 0 < tx.base_gas <= limit:
        parts.append(f"baseGas {tx.base_gas}")
    if not same_address(tx.gas_token, ZERO_ADDRESS):
        parts.append(f"gasToken {tx.gas_token}")
    if not same_address(tx.refund_receiver, ZERO_ADDRESS):
        parts.append(f"refundReceiver {tx.refund_receiver}")
    if not parts:
        return []
    return [
        Finding(
            "refund_params",
            "the Safe would pay a gas refund: " + ", ".join(parts) + "; expected all zero",
        )
    ]


def worst_refund_wei(tx: SafeTx) -> int:
    """The most wei a refund in ETH can take: (gas used + baseGas) x gasPrice, used <= bound."""
    return (tx.safe_tx_gas + REFUND_OVERHEAD + tx.base_gas) * tx.gas_price


def _refund_bound(tx: SafeTx, max_refund_wei: int) -> list[Finding]:
    if tx.gas_price == 0:
        return []
    if not same_address(tx.gas_token, ZERO_ADDRESS):
        return [Finding(
            "refund_too_high",
            f"refund paid in gasToken {tx.gas_token}: the policy bounds refunds in ETH only",
        )]  # fmt: skip
    worst = worst_refund_wei(tx)
    if worst <= max_refund_wei:
        return []
    return [Finding(
        "refund_too_high",
        f"the refund can reach {worst} wei ((safeTxGas {tx.safe_tx_gas} + {REFUND_OVERHEAD} + "
        f"baseGas {tx.base_gas}) x gasPrice {tx.gas_price}); the policy allows {max_refund_wei}",
    )]  # fmt: skip
