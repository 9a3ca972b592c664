"""Decode a Safe transaction from its raw fields into an OperatorView; nothing is taken on trust."""

from __future__ import annotations

from typing import cast

from signer.chains.ethereum import view as v
from signer.chains.ethereum.calldata import ERC20_CALLS, MULTISEND, SAFE_SELF_CALLS, decode_static
from signer.chains.ethereum.fields import same_address, short_address
from signer.chains.ethereum.multisend import BatchMalformed, InnerTx, unpack_multisend
from signer.chains.ethereum.safe_hash import safe_tx_hash
from signer.chains.ethereum.safe_tx import DELEGATECALL, SafeTx
from signer.chains.ethereum.settings import Settings
from signer.chains.ethereum.tokens import Token, TokenRegistry, amount_words, units

_ERC20_ACTION = {
    "transfer": v.ERC20_TRANSFER,
    "transferFrom": v.ERC20_TRANSFER_FROM,
    "approve": v.ERC20_APPROVE,
    "increaseAllowance": v.ERC20_INCREASE_ALLOWANCE,
}


def decode_safe_tx(
    tx: SafeTx, tokens: TokenRegistry, settings: Settings, native_symbol: str = "ETH"
) -> v.OperatorView:
    """Decode every call the transaction makes, batches included."""
    context = _Context(tx, tokens, native_symbol)
    top = InnerTx(tx.operation, tx.to, tx.value, tx.data)
    calls: tuple[v.DecodedCall, ...]
    library = None
    is_batch = (
        tx.data[:4] == MULTISEND
        and tx.operation == DELEGATECALL
        and settings.is_trusted_multisend(tx.chain_id, tx.to)
    )
    if not is_batch:
        calls = (context.decode(0, top),)
    else:
        try:
            inner = unpack_multisend(tx.data)
        except BatchMalformed as exc:
            calls = (context.unknown(0, top, f"malformed MultiSend batch: {exc}"),)
        else:
            library = tx.to
            calls = tuple(context.decode(i, call) for i, call in enumerate(inner, start=1))
    return v.OperatorView(
        safe=tx.safe,
        chain_id=tx.chain_id,
        safe_version=tx.safe_version,
        nonce=tx.nonce,
        safe_tx_hash=safe_tx_hash(tx),
        calls=calls,
        batch_library=library,
    )


class _Context:
    """Decodes calls of one transaction (its Safe, chain and the registered tokens)."""

    def __init__(self, tx: SafeTx, tokens: TokenRegistry, native_symbol: str) -> None:
        self.tx = tx
        self.tokens = tokens
        self.native = native_symbol

    def decode(self, index: int, call: InnerTx) -> v.DecodedCall:
        if call.operation == DELEGATECALL:
            return self._delegatecall(index, call)
        if call.operation != 0:
            return self.unknown(index, call, f"invalid operation {call.operation}")
        if same_address(call.to, self.tx.safe):
            return self._self_call(index, call)
        if not call.data:
            if call.value == 0:
                return self.unknown(index, call, "empty call sending nothing")
            token = self.tokens.find(self.tx.chain_id, call.to)
            if token is not None:  # never a withdrawal: most tokens revert it (nonce lost)
                return self.unknown(index, call, f"ETH sent to the {token.symbol} token "
                                    "contract, not a transfer of it")
            return self._eth_transfer(index, call)
        known = ERC20_CALLS.get(call.data[:4])
        if known is None:
            note = "multiSend batch not run by delegatecall through a trusted library"
            return self.unknown(index, call, note if call.data[:4] == MULTISEND else "")
        return self._erc20(index, call, *known)

    def unknown(self, index: int, call: InnerTx, note: str) -> v.DecodedCall:
        detail = f"selector 0x{call.data[:4].hex()}, " if call.data else ""
        words = (
            f"Unknown call to {short_address(call.to)} ({detail}{len(call.data)} bytes of data, "
            f"{units(call.value, 18)} {self.native})" + (f": {note}" if note else "")
        )
        return v.DecodedCall(
            index, call.operation, call.to, call.value, call.data, v.UNKNOWN_CALL, words
        )

    def _delegatecall(self, index: int, call: InnerTx) -> v.DecodedCall:
        erc20 = ERC20_CALLS.get(call.data[:4])
        name = erc20[0] if erc20 else SAFE_SELF_CALLS.get(call.data[:4])
        looks_like = f", data shaped like {name}(…)" if name else ""
        words = (
            f"DELEGATECALL to {call.to}{looks_like}: runs that contract's code as the Safe "
            "and can replace its owners or implementation"
        )
        return v.DecodedCall(
            index, call.operation, call.to, call.value, call.data, v.DELEGATECALL, words, name
        )

    def _self_call(self, index: int, call: InnerTx) -> v.DecodedCall:
        if not call.data:
            name = "nonce cancellation (empty call)" if call.value == 0 else "ETH sent to itself"
        else:
            found = SAFE_SELF_CALLS.get(call.data[:4])
            name = found or f"unknown Safe function 0x{call.data[:4].hex()}"
        words = f"Call to the Safe itself: {name}"
        return v.DecodedCall(
            index, call.operation, call.to, call.value, call.data, v.SELF_CALL, words, name
        )

    def _eth_transfer(self, index: int, call: InnerTx) -> v.DecodedCall:
        words = f"Transfer {amount_words(call.value, 18)} {self.native} to {short_address(call.to)}"
        return v.DecodedCall(
            index, call.operation, call.to, call.value, call.data, v.ETH_TRANSFER, words,
            asset=self.native, amount=units(call.value, 18), amount_base=call.value,
            destination=call.to,
        )  # fmt: skip

    def _erc20(self, index: int, call: InnerTx, name: str, types: tuple[str, ...]) -> v.DecodedCall:
        token = self.tokens.find(self.tx.chain_id, call.to)
        if token is None:
            return self.unknown(index, call, f"ERC-20 {name} on an unregistered token contract")
        args = decode_static(call.data, types)
        if args is None:
            return self.unknown(index, call, f"{token.symbol} {name} with non-canonical arguments")
        addresses, amount = [str(a) for a in args[:-1]], cast(int, args[-1])
        sender = str(addresses[0]) if name == "transferFrom" else None
        destination = str(addresses[-1])
        return v.DecodedCall(
            index, call.operation, call.to, call.value, call.data, _ERC20_ACTION[name],
            _erc20_words(name, token, amount, destination, sender), name,
            asset=token.symbol, amount=units(amount, token.decimals), amount_base=amount,
            destination=destination, sender=sender,
        )  # fmt: skip


def _erc20_words(name: str, token: Token, amount: int, to: str, sender: str | None) -> str:
    shown = f"{amount_words(amount, token.decimals)} {token.symbol}"
    if name == "transfer":
        return f"Transfer {shown} to {short_address(to)}"
    if name == "transferFrom" and sender is not None:
        return f"Transfer {shown} from {short_address(sender)} to {short_address(to)}"
    if name == "approve":
        return f"Approve {short_address(to)} to spend up to {shown}"
    return f"Increase the allowance of {short_address(to)} by {shown}"
