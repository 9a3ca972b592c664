"""Limits and caps the Bitcoin checks apply, from the appliance's configuration."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """What a draft may be: sizes before parsing, fee caps and trust in witness-only inputs."""

    max_bytes: int = 4_000_000  # a PSBT file or decoded text, before parsing
    max_inputs: int = 2_000
    max_outputs: int = 2_000
    # A witness_utxo alone lets a dishonest creator lie about the amount of all but one
    # input (the segwit fee attack); the full previous transaction proves it.
    allow_witness_only: bool = False
    max_fee_sats: int = 5_000_000
    max_fee_percent: float = 2.0  # of the amount leaving the wallet (of all outputs if none)
    max_fee_rate: float | None = 500.0  # sat/vB; None = no cap
    # The key pool the ceremony imported into the tokens (the registered wallet's
    # receive_keys / change_keys): only these keys can sign, so our scripts beyond them
    # are refused (key_absent, change_beyond_pool).
    receive_keys: int = 100
    change_keys: int = 100
    # The policy's [bitcoin] max_locktime_height; None: only nLockTime 0 is signed.
    max_locktime_height: int | None = None

    def pool(self, change: int) -> int:
        """How many keys of branch ``change`` (0 receive, 1 change) the tokens hold."""
        return self.change_keys if change else self.receive_keys
