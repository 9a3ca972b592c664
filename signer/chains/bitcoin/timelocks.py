"""Timelocks a draft carries: shown to the holders, and screened so none can park coins.

A signed transaction that may not be mined until some far date keeps its coins claimed
by the draft (nothing else is signed for them) until then or until a quorum releases
them. So relative locks (BIP-68) and time-based ``nLockTime`` are refused, and a
height-based ``nLockTime`` (Bitcoin Core's anti-fee-sniping puts the current height
there) is signed only up to the bound the policy sets: ``[bitcoin] max_locktime_height``.
"""

from __future__ import annotations

from embit.psbt import PSBT

from signer.chains.bitcoin.checks import Finding

LOCKTIME_THRESHOLD = 500_000_000  # nLockTime at or above it is a Unix time, below a height
FINAL = 0xFFFFFFFF
# BIP-68: bit 31 set disables the relative lock; bit 22 says 512-second units, not blocks.
_DISABLE_FLAG = 1 << 31
_TYPE_FLAG = 1 << 22
_VALUE_MASK = 0xFFFF
# Sequences wallets use without meaning a lock: final, locktime-enabling, and BIP-125 RBF.
ORDINARY_SEQUENCES = frozenset({FINAL, FINAL - 1, FINAL - 2})


def sequences(psbt: PSBT) -> tuple[int, ...]:
    """Each input's nSequence (0xffffffff when the PSBT gives none)."""
    return tuple(FINAL if inp.sequence is None else int(inp.sequence) for inp in psbt.inputs)


def relative_lock(sequence: int) -> str | None:
    """What a BIP-68 sequence waits for ("10 blocks"), or None when it locks nothing."""
    if sequence & _DISABLE_FLAG:
        return None
    value = sequence & _VALUE_MASK
    if sequence & _TYPE_FLAG:
        return f"{value * 512} seconds after its coin confirmed"
    return f"{value} blocks after its coin confirmed"


def describe_locktime(locktime: int) -> str:
    if locktime == 0:
        return "none"
    if locktime < LOCKTIME_THRESHOLD:
        return f"not before block {locktime}"
    return f"not before Unix time {locktime}"


def timelock_line(version: int, locktime: int, sequence_list: tuple[int, ...]) -> str | None:
    """One plain line for the holders when a draft carries more than the usual values."""
    unusual = [(i, s) for i, s in enumerate(sequence_list) if s not in ORDINARY_SEQUENCES]
    if locktime == 0 and not unusual:
        return None
    parts = [f"Timelock: nLockTime {locktime} ({describe_locktime(locktime)})"]
    for index, sequence in unusual:
        lock = relative_lock(sequence) if version >= 2 else None
        parts.append(f"input {index} nSequence 0x{sequence:08x}"
                     + (f" (waits {lock})" if lock else ""))
    return "; ".join(parts)


def timelock_findings(
    version: int, locktime: int, sequence_list: tuple[int, ...], max_height: int | None
) -> list[Finding]:
    """Relative locks, time locks, and height locks above ``max_height`` (None: only 0)."""
    found = []
    if version >= 2:  # BIP-68 binds only transactions of version 2 and above
        for index, sequence in enumerate(sequence_list):
            if (lock := relative_lock(sequence)) is not None:
                found.append(Finding("relative_locktime", f"input {index}: nSequence "
                                     f"0x{sequence:08x} is a relative lock ({lock})"))
    if locktime >= LOCKTIME_THRESHOLD:
        found.append(Finding("time_locktime", f"nLockTime {locktime} is a time lock (Unix time); "
                             "only block heights are signed"))
    elif locktime > (max_height or 0):
        bound = ("the policy sets no [bitcoin] max_locktime_height, so only 0"
                 if max_height is None else f"the policy's max_locktime_height is {max_height}")
        found.append(Finding("locktime_too_high", f"nLockTime {locktime} (not before block "
                             f"{locktime}) is above the bound: {bound}"))
    return found
