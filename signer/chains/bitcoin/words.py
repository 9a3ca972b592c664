"""A Bitcoin draft in words, from its stored summary (what this appliance decoded).

Deliberately light: listing drafts imports this, never a PSBT parser (cold start).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from signer.chains.address_text import grouped
from signer.chains.kind import Words
from signer.chains.words import Effect, decimal, text

# Sequences that lock nothing (final, anti-fee-sniping, RBF signal): not worth a line.
_PLAIN_SEQUENCES = frozenset({0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD})
_LOCKTIME_IS_TIME = 500_000_000  # BIP-65: below, a block height; from here, a Unix time
# More outputs to others than this: the one-line headline gives their count and total.
_HEADLINE_OUTPUTS = 3


def words(summary: dict[str, Any], payload: bytes, with_txid: bool) -> Words:
    """``with_txid``: parse the payload for the unsigned txid (a review; lists skip it)."""
    own = tuple(str(o.get("address")) for o in _outputs(summary) if o.get("kind") != "EXTERNAL")
    if not with_txid:
        return Words((), (), headline(summary), own, sends=_sends(summary))
    txid, sequences = unsigned_txid(payload)
    return Words(tuple(_effects(summary)), tuple(_compare(summary, txid, sequences)),
                 headline(summary), own, ("unsigned_txid", txid), tuple(raw_lines(summary)),
                 _sends(summary))


def _outputs(summary: dict[str, Any]) -> list[dict[str, Any]]:
    outputs = summary.get("outputs")
    return [o for o in outputs if isinstance(o, dict)] if isinstance(outputs, list) else []


def _sends(summary: dict[str, Any]) -> tuple[Decimal, str] | None:
    try:
        return Decimal(str(summary.get("sent"))), "BTC"
    except InvalidOperation:
        return None


def headline(summary: dict[str, Any]) -> str:
    outputs = _outputs(summary)
    others = [o for o in outputs if o.get("kind") == "EXTERNAL"]
    change = [o for o in outputs if o.get("kind") != "EXTERNAL"]
    if len(others) > _HEADLINE_OUTPUTS:
        paid = f"Send {len(others)} outputs to others, total {text(summary.get('sent'))} BTC"
    elif others:
        paid = "Send " + " + ".join(f"{text(o.get('amount'))} BTC to "
                                   f"{grouped(str(o.get('address')))}" for o in others)
        paid += " (not ours)"
    else:
        paid = "Send nothing out (all outputs are ours)"
    kept = sum((decimal(o.get("amount")) for o in change), Decimal(0))
    back = f"; change {kept} BTC back to us" if change else ""
    return f"{paid}{back}; fee {text(summary.get('fee'), 'UNKNOWN')} BTC"


def _effects(summary: dict[str, Any]) -> list[Effect]:
    effects = []
    for o in _outputs(summary):
        amount, address = text(o.get("amount")), str(o.get("address"))
        if o.get("kind") == "EXTERNAL":
            effects.append(Effect(f"Send {amount} BTC to an address not ours:", (("", address),)))
        else:
            effects.append(Effect(f"Change {amount} BTC back to our wallet "
                                  f"({text(o.get('path'))}, verified):",
                                  (("", address),), ours=True))
    others = [o for o in _outputs(summary) if o.get("kind") == "EXTERNAL"]
    rate = summary.get("fee_rate")
    rate_words = f"{rate:.1f} sat/vB" if isinstance(rate, (int, float)) else "unknown rate"
    effects.append(Effect(f"Fee {text(summary.get('fee'), 'UNKNOWN')} BTC ({rate_words}, "
                          f"~{text(summary.get('vsize'), '?')} vB)"))
    if len(others) > 1:
        effects.append(Effect(f"In all: {text(summary.get('sent'))} BTC leaves the wallet "
                              f"to {len(others)} addresses not ours"))
    return effects


def _compare(summary: dict[str, Any], txid: str, sequences: list[int]) -> list[str]:
    """The unsigned txid (what the online side's node reports), locks when not plain."""
    # A hash on a line of its own: at 80 columns it is never wrapped mid-way.
    lines = ["unsigned txid:", f"    {txid}"]
    locktime = summary.get("locktime")
    if isinstance(locktime, int) and locktime:
        kind = "Unix time" if locktime >= _LOCKTIME_IS_TIME else "block height"
        lines.append(f"locktime {locktime} ({kind}): not valid in a block before it")
    for index, sequence in enumerate(sequences):
        if sequence not in _PLAIN_SEQUENCES:
            lines.append(f"input {index} sequence 0x{sequence:08x} (not the default)")
    return lines


def unsigned_txid(payload: bytes) -> tuple[str, list[int]]:
    """The txid of a PSBT's unsigned transaction, and each input's sequence number."""
    from embit.psbt import PSBT  # deferred: `drafts` and `--version` need no PSBT parser

    try:
        psbt = PSBT.parse(payload)
    except Exception:  # stored payloads were parsed at import; a bad one says so, never raises
        return "(payload does not parse)", []
    return psbt.tx.txid().hex(), [int(i.sequence) for i in psbt.tx.vin]


def raw_lines(summary: dict[str, Any]) -> list[str]:
    """The decoded fields exactly as the appliance parsed them."""
    lines = [f"input  {i['outpoint']}  {i['amount'] or 'UNKNOWN'} BTC  signed by "
             f"{','.join(i.get('signed_by') or []) or '-'}" for i in summary.get("inputs", [])]
    lines += [f"output {o['kind']:<8} {o['amount']} BTC  {o['address']}"
              + (f"  ({o['path']})" if o.get("path") else "")
              for o in summary.get("outputs", [])]
    lines.append(f"fee {summary.get('fee') or 'UNKNOWN'} BTC  vsize {summary.get('vsize')}  "
                 f"locktime {summary.get('locktime')}  rbf {summary.get('rbf')}")
    return lines
