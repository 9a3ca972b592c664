"""One way to say what a draft does: the words `show`, `drafts`, `import` and the TUI review use.

Built from what the appliance decoded and stored (the draft's summary), never from what
the online side claims. Every output or call is listed, never only the first; addresses
are in full (grouped for reading aloud); amounts carry their unit; the vault's request is
labelled as the request; and nothing is a Python repr. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from signer.store.drafts import DraftRow
from signer.usecases.address_text import Lookalike, grouped, grouped_lines

if TYPE_CHECKING:  # only the type: `drafts` lists without loading policy or wallet code
    from signer.usecases.known_addresses import KnownAddresses

# Sequences that lock nothing (final, anti-fee-sniping, RBF signal): not worth a line.
_PLAIN_SEQUENCES = frozenset({0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD})
_LOCKTIME_IS_TIME = 500_000_000  # BIP-65: below, a block height; from here, a Unix time
_ZERO_ADDRESS = "0x" + "00" * 20
_WEI = Decimal(10**18)
# More outputs to others than this: the one-line headline gives their count and total.
_HEADLINE_OUTPUTS = 3
_LONGEST_FIELD = 200  # characters of one request field shown


@dataclass(frozen=True)
class Effect:
    """One thing the draft does: a sentence, and the addresses it names (in full)."""

    words: str  # "Send 0.01 BTC to an address not ours:"
    addresses: tuple[tuple[str, str], ...] = ()  # (label, address); label "" for the main one
    note: str = ""  # a second line of explanation
    ours: bool = False  # the addresses are the wallet's own (verified change)

    def line(self) -> str:
        """One line, addresses in full: for lists and import results."""
        named = " ".join(f"{label + ' ' if label else ''}{grouped(a)}" for label, a in
                         self.addresses)
        return f"{self.words.removesuffix(':')} {named}".rstrip()

    def lines(self) -> list[str]:
        """The sentence, then each address on its own line, grouped for reading aloud."""
        shown = [self.words]
        for label, address in self.addresses:
            head = f"    {label}: " if label else "    "
            rows = grouped_lines(address)
            shown += [head + rows[0], *(" " * len(head) + row for row in rows[1:])]
        return shown + ([f"    {self.note}"] if self.note else [])


@dataclass(frozen=True)
class Description:
    headline: str  # one line: every output or call, addresses in full
    effects: tuple[Effect, ...]
    compare: tuple[str, ...]  # what a holder compares on a second device
    request: tuple[str, ...]  # the vault's request, labelled as such
    lookalikes: tuple[Lookalike, ...]
    unsigned_txid: str | None = None  # Bitcoin: the txid the network will know it by

    def what_it_does(self) -> list[str]:
        warnings = [line for found in self.lookalikes for line in found.lines()]
        return warnings + [line for effect in self.effects for line in effect.lines()]


def describe(row: DraftRow, known: KnownAddresses | None = None) -> Description:
    """The draft in words; ``known`` flags look-alikes of addresses the holders know."""
    txid = None
    if row.chain == "bitcoin":
        effects = _bitcoin(row.summary)
        txid, sequences = unsigned_txid(row.payload)
        compare = _bitcoin_compare(row.summary, txid, sequences)
        headline = _bitcoin_headline(row.summary)
    else:
        effects, compare = _safe(row.summary)
        headline = " + ".join(e.line() for e in effects) or "(nothing decoded)"
    named = [a for e in effects if not e.ours for _, a in e.addresses]
    if known is not None and row.chain == "bitcoin":
        known = replace(known, named=dict(known.named))  # this draft's change, for it alone
        known.add((str(o.get("address")) for o in _outputs(row.summary)
                   if o.get("kind") != "EXTERNAL"), "our change address")
    lookalikes = tuple(known.lookalikes(named)) if known is not None else ()
    return Description(headline, tuple(effects), tuple(compare), tuple(_request(row)),
                       lookalikes, txid)


def headline(row: DraftRow) -> str:
    """The one line a list shows for a draft (no database look-ups)."""
    if row.chain == "bitcoin":
        return _bitcoin_headline(row.summary)
    return " + ".join(e.line() for e in _safe(row.summary)[0]) or "(nothing decoded)"


def printable(text: str) -> str:
    """Outside text on one line: no control characters, so a newline cannot forge a line
    (reason messages quote the vault's request). Never cut: reasons are read in full."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _text(value: object, missing: str = "(none)") -> str:
    """A field as words: missing fields say so, lists and objects never show as reprs."""
    if value is None or value == "":
        return missing
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value) or missing
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items()) or missing
    # The vault's request is signed but hostile: no control characters (a newline could
    # forge a line of the review), and no wall of text pushing the payload off screen.
    text = printable(str(value))
    if len(text) > _LONGEST_FIELD:
        return f"{text[:_LONGEST_FIELD]}… ({len(text) - _LONGEST_FIELD} more characters)"
    return text


# Bitcoin ---------------------------------------------------------------------------------

def _outputs(summary: dict[str, Any]) -> list[dict[str, Any]]:
    outputs = summary.get("outputs")
    return [o for o in outputs if isinstance(o, dict)] if isinstance(outputs, list) else []


def _bitcoin_headline(summary: dict[str, Any]) -> str:
    outputs = _outputs(summary)
    others = [o for o in outputs if o.get("kind") == "EXTERNAL"]
    change = [o for o in outputs if o.get("kind") != "EXTERNAL"]
    if len(others) > _HEADLINE_OUTPUTS:
        paid = f"Send {len(others)} outputs to others, total {_text(summary.get('sent'))} BTC"
    elif others:
        paid = "Send " + " + ".join(f"{_text(o.get('amount'))} BTC to "
                                   f"{grouped(str(o.get('address')))}" for o in others)
        paid += " (not ours)"
    else:
        paid = "Send nothing out (all outputs are ours)"
    kept = sum((_decimal(o.get("amount")) for o in change), Decimal(0))
    back = f"; change {kept} BTC back to us" if change else ""
    return f"{paid}{back}; fee {_text(summary.get('fee'), 'UNKNOWN')} BTC"


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def _bitcoin(summary: dict[str, Any]) -> list[Effect]:
    effects = []
    for o in _outputs(summary):
        amount, address = _text(o.get("amount")), str(o.get("address"))
        if o.get("kind") == "EXTERNAL":
            effects.append(Effect(f"Send {amount} BTC to an address not ours:", (("", address),)))
        else:
            effects.append(Effect(f"Change {amount} BTC back to our wallet "
                                  f"({_text(o.get('path'))}, verified):",
                                  (("", address),), ours=True))
    others = [o for o in _outputs(summary) if o.get("kind") == "EXTERNAL"]
    rate = summary.get("fee_rate")
    rate_words = f"{rate:.1f} sat/vB" if isinstance(rate, (int, float)) else "unknown rate"
    effects.append(Effect(f"Fee {_text(summary.get('fee'), 'UNKNOWN')} BTC ({rate_words}, "
                          f"~{_text(summary.get('vsize'), '?')} vB)"))
    if len(others) > 1:
        effects.append(Effect(f"In all: {_text(summary.get('sent'))} BTC leaves the wallet "
                              f"to {len(others)} addresses not ours"))
    return effects


def _bitcoin_compare(summary: dict[str, Any], txid: str, sequences: list[int]) -> list[str]:
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


# Ethereum Safe ---------------------------------------------------------------------------

def _safe(summary: dict[str, Any]) -> tuple[list[Effect], list[str]]:
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
    compare = ["safeTxHash:", f"    {_text(summary.get('safeTxHash'))}",
               f"Safe {grouped(str(decoded.get('safe')))}",
               f"chain {_text(decoded.get('chainId'))}, Safe {_text(decoded.get('safeVersion'))}"
               f", nonce {_text(decoded.get('nonce'))}"]
    return effects, compare + _gas_lines(summary.get("safe_tx"))


def _call(call: dict[str, Any]) -> Effect:
    action, to = call.get("action"), str(call.get("to"))
    amount = f"{_text(call.get('amount'))} {_text(call.get('asset'))}"
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
        return Effect(f"Call to the Safe itself: {_text(call.get('function'))} ({value})")
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
        return _text(wei)


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


def _address(value: object) -> str:
    """A claimed address grouped for reading aloud; anything else as plain words."""
    return grouped(_text(value)) if isinstance(value, str) and value else _text(value)


# The vault's request ---------------------------------------------------------------------

def _request(row: DraftRow) -> list[str]:
    """What the vault system asked for, labelled as the request (not what is signed)."""
    if not row.envelope:
        return ["Request: none (a plain draft, no vault envelope)"]
    draft = row.envelope.get("draft")
    draft = draft if isinstance(draft, dict) else {}
    request = draft.get("request")
    head = (f"Request from vault key {_text(row.envelope.get('key_id'))} "
            f"(vault draft {_text(draft.get('id'))}):")
    if not isinstance(request, dict):
        return [head, "    (no request object)"]
    return [head,
            f"    {_text(request.get('amount'))} {_text(request.get('asset'))} to "
            f"{_address(request.get('destination'))}",
            f"    reference: {_text(request.get('reference'))}"]
