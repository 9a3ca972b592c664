"""A Safe draft in words, from its stored summary (what this appliance decoded).

Deliberately light: listing drafts imports this, never eth-account (cold start).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from signer.chains.address_text import grouped
from signer.chains.kind import Words
from signer.chains.words import Effect, text

_ZERO_ADDRESS = "0x" + "00" * 20
_WEI = Decimal(10**18)


def words(summary: dict[str, Any]) -> Words:
    effects, compare = _effects(summary)
    headline = " + ".join(e.line() for e in effects) or "(nothing decoded)"
    return Words(tuple(effects), tuple(compare), headline, raw=tuple(raw_lines(summary)),
                 sends=_sends(summary))


def _sends(summary: dict[str, Any]) -> tuple[Decimal, str] | None:
    try:
        calls = summary.get("decoded", {}).get("calls", [])
        if len(calls) == 1 and calls[0].get("amount") is not None and calls[0].get("asset"):
            return Decimal(str(calls[0]["amount"])), str(calls[0]["asset"])
    except (InvalidOperation, AttributeError, TypeError):
        return None
    return None


def _effects(summary: dict[str, Any]) -> tuple[list[Effect], list[str]]:
    decoded = summary.get("decoded")
    decoded = decoded if isinstance(decoded, dict) else {}
    calls = [c for c in decoded.get("calls") or [] if isinstance(c, dict)]
    batch = decoded.get("batchLibrary") is not None
    effects = []
    for call in calls:
        effect = _call(call)
        if batch:
            effect = Effect(f"[{call.get('index')}/{len(calls)}] {effect.words}",
                            effect.addresses, effect.note)
        effects.append(effect)
    if batch:
        effects.append(Effect("  through the batch library", (("", str(decoded["batchLibrary"])),)))
    compare = ["safeTxHash:", f"    {text(summary.get('safeTxHash'))}",
               f"Safe {grouped(str(decoded.get('safe')))}",
               f"chain {text(decoded.get('chainId'))}, Safe {text(decoded.get('safeVersion'))}"
               f", nonce {text(decoded.get('nonce'))}"]
    return effects, compare + _gas_lines(summary.get("safe_tx"))


def _call(call: dict[str, Any]) -> Effect:
    action, to = call.get("action"), str(call.get("to"))
    amount = f"{text(call.get('amount'))} {text(call.get('asset'))}"
    destination = str(call.get("destination"))
    token = (("token contract", to),)
    if action == "eth_transfer":
        return Effect(f"Transfer {amount} to:", (("", destination),))
    if action == "erc20_transfer":
        return Effect(f"Transfer {amount} to:", (("", destination), *token))
    if action == "erc20_transfer_from":
        return Effect(f"Transfer {amount} to:", (("", destination),
                                                 ("taken from", str(call.get("sender"))), *token))
    if action == "erc20_approve":
        return Effect(f"Approve a spender to take up to {amount}:", (("", destination), *token))
    if action == "erc20_increase_allowance":
        return Effect(f"Raise a spender's allowance by {amount}:", (("", destination), *token))
    value = f"{_ether(call.get('value'))} ETH"
    if action == "self_call":
        return Effect(f"Call to the Safe itself: {text(call.get('function'))} ({value})")
    data = str(call.get("data") or "0x")
    size = max(0, (len(data) - 2) // 2)
    if action == "delegatecall":
        shaped = f"; data shaped like {call['function']}(…)" if call.get("function") else ""
        return Effect(f"DELEGATECALL ({value}, {size} bytes of data{shaped}) to:",
                      (("", to),), "runs that contract's code as the Safe: it can replace "
                      "the Safe's owners or implementation")
    selector = f"selector {data[:10]}, " if size >= 4 else ""
    return Effect(f"Unknown call ({selector}{size} bytes of data, {value}) to:", (("", to),))


def _ether(wei: object) -> str:
    try:
        return format(Decimal(str(wei)) / _WEI, "f")
    except InvalidOperation:
        return text(wei)


def _gas_lines(safe_tx: object) -> list[str]:
    """Refund and gas fields, only when they are not the plain zero values."""
    if not isinstance(safe_tx, dict):
        return []
    lines = [f"{name} {safe_tx[name]} (not zero)" for name in ("safeTxGas", "baseGas", "gasPrice")
             if str(safe_tx.get(name, "0")) != "0"]
    lines += [f"{name} {grouped(str(safe_tx[name]))} (not zero)"
              for name in ("gasToken", "refundReceiver")
              if str(safe_tx.get(name, _ZERO_ADDRESS)).lower() != _ZERO_ADDRESS]
    return lines


def raw_lines(summary: dict[str, Any]) -> list[str]:
    """The decoded fields exactly as the appliance parsed them."""
    fields: dict[str, Any] = summary.get("safe_tx", {})
    lines = [f"{name:<15} {value}" for name, value in fields.items() if name != "safeTxHash"]
    lines.append(f"{'safeTxHash':<15} {summary.get('safeTxHash')} (recomputed here)")
    return lines
