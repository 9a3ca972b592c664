"""A proof draft in words, from its stored summary (what this appliance decoded).

The message is shown in full, never cut (it is what the holders sign); every address with
its wallet path and whether it is the wallet's; the Safe with the hashes to compare on a
second device. Light: listing drafts imports this and nothing of eth-account.
"""

from __future__ import annotations

from typing import Any

from signer.chains.kind import Words
from signer.chains.words import Effect, printable

_HEADLINE_MESSAGE = 60  # characters of the message in a list's one line (the review has all)


def _message(summary: dict[str, Any]) -> str:
    return printable(str(summary.get("message", "")))


def _headline(summary: dict[str, Any]) -> str:
    message = _message(summary)
    if len(message) > _HEADLINE_MESSAGE:
        message = f"{message[:_HEADLINE_MESSAGE]}… ({len(message) - _HEADLINE_MESSAGE} more)"
    bitcoin = summary.get("bitcoin") or []
    safe = summary.get("ethereum")
    parts = [f"{len(bitcoin)} Bitcoin address(es)"] if bitcoin else []
    parts += [f"Safe {safe.get('safe')}"] if isinstance(safe, dict) else []
    return f"Proof of reserves (moves nothing) for {' and '.join(parts)}: \"{message}\""


def _effects(summary: dict[str, Any]) -> list[Effect]:
    effects = [Effect("Sign a proof of reserves: a message, no transaction (moves nothing). "
                      "The message, in full:", note=_message(summary))]
    bitcoin = [a for a in summary.get("bitcoin") or [] if isinstance(a, dict)]
    ours = tuple((f"{a.get('path')} ours", str(a.get("address"))) for a in bitcoin
                 if a.get("ours"))
    if ours:
        effects.append(Effect(f"Prove control of {len(ours)} Bitcoin address(es) of the wallet "
                              f"({summary.get('network')}), BIP-322:", ours, ours=True))
    strangers = tuple((f"{a.get('code')}", str(a.get("address"))) for a in bitcoin
                      if not a.get("ours"))
    if strangers:
        effects.append(Effect(f"REFUSED: {len(strangers)} address(es) that are not the "
                              "wallet's to prove:", strangers))
    safe = summary.get("ethereum")
    if isinstance(safe, dict):
        note = (f"chain id {safe.get('chainId')}, Safe v{safe.get('version', '?')}, EIP-1271")
        if safe.get("version") in ("1.3.0", "1.4.1"):
            note += ("; auditors' isValidSignature needs the CompatibilityFallbackHandler as "
                     "the Safe's fallback handler (check it on chain)")
        effects.append(Effect("Prove ownership of the Safe:", (("", str(safe.get("safe"))),),
                              note))
    return effects


def _compare(summary: dict[str, Any]) -> list[str]:
    lines = [f"message sha256 {summary.get('message_sha256')}",
             f"BIP-322 message hash {summary.get('bip322_message_hash')}"]
    safe = summary.get("ethereum")
    if isinstance(safe, dict) and safe.get("safeMessageHash"):
        lines += ["SafeMessage hash (what the owners sign):", f"    {safe['safeMessageHash']}",
                  "messageHash (EIP-191 of the message):", f"    {safe['messageHash']}"]
    return lines


def _raw(summary: dict[str, Any]) -> list[str]:
    lines = [f"{'message':<15} {_message(summary)}"]
    lines += [f"{'address':<15} {a.get('address')} {a.get('path', a.get('code'))}"
              for a in summary.get("bitcoin") or [] if isinstance(a, dict)]
    safe = summary.get("ethereum")
    if isinstance(safe, dict):
        lines += [f"{name:<15} {value}" for name, value in safe.items()]
    return lines


def words(summary: dict[str, Any], full: bool = True) -> Words:
    if not full:
        return Words((), (), _headline(summary))
    return Words(tuple(_effects(summary)), tuple(_compare(summary)), _headline(summary),
                 raw=tuple(_raw(summary)))
