"""The standard Safe cancellation: a zero-value call from the Safe to itself at a nonce.

It does nothing but use the nonce, so a signed transaction at that nonce can never execute
after it. Every gas field is zero (no refund, gas estimated by the executor) and the call
is a plain CALL with empty data: the only Safe transaction this appliance signs that
transfers nothing.
"""

from __future__ import annotations

from signer.chains.ethereum.fields import ZERO_ADDRESS, same_address
from signer.chains.ethereum.safe_tx import SafeTx


def cancellation_tx(safe: str, chain_id: int, safe_version: str, nonce: int) -> SafeTx:
    return SafeTx(safe=safe, chain_id=chain_id, safe_version=safe_version, to=safe, value=0,
                  data=b"", operation=0, safe_tx_gas=0, base_gas=0, gas_price=0,
                  gas_token=ZERO_ADDRESS, refund_receiver=ZERO_ADDRESS, nonce=nonce)


def cancellation_problems(tx: SafeTx) -> list[str]:
    """How ``tx`` differs from the cancellation at its nonce (empty: it is one)."""
    expected = cancellation_tx(tx.safe, tx.chain_id, tx.safe_version, tx.nonce)
    problems = []
    if not same_address(tx.to, tx.safe):
        problems.append(f"to {tx.to} is not the Safe itself")
    for name, got, want in (
        ("value", tx.value, 0), ("data", tx.data, b""), ("operation", tx.operation, 0),
        ("safeTxGas", tx.safe_tx_gas, 0), ("baseGas", tx.base_gas, 0),
        ("gasPrice", tx.gas_price, 0),
    ):
        if got != want:
            problems.append(f"{name} is not {want!r}")
    for name, address in (("gasToken", tx.gas_token), ("refundReceiver", tx.refund_receiver)):
        if not same_address(address, expected.gas_token):
            problems.append(f"{name} {address} is not zero")
    return problems
