"""What the Safe screening lets through: admin-policy allow-flags and trusted batch libraries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from signer.chains.ethereum.fields import parse_address


@dataclass(frozen=True)
class Settings:
    """Allow-flags (all off by default) and MultiSendCallOnly libraries trusted per chain id."""

    allow_self_calls: bool = False  # owner, threshold, module, guard, handler changes
    allow_refund_params: bool = False  # non-zero gasPrice, baseGas, gasToken, refundReceiver
    allow_unknown_calls: bool = False  # calls the appliance cannot decode
    # The most gas one block holds: safeTxGas and baseGas beyond it can never execute.
    block_gas_limit: int = 30_000_000
    # With refunds allowed: the most wei one execution may pay (None: unbounded).
    max_refund_wei: int | None = None
    trusted_multisend: Mapping[int, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        normalised = {
            chain_id: frozenset(
                parse_address(a, "settings", f"trusted_multisend[{chain_id}]").lower()
                for a in addresses
            )
            for chain_id, addresses in self.trusted_multisend.items()
        }
        object.__setattr__(self, "trusted_multisend", normalised)

    def is_trusted_multisend(self, chain_id: int, address: str) -> bool:
        """True if ``address`` is a registered batch library on ``chain_id``."""
        return address.lower() in self.trusted_multisend.get(chain_id, frozenset())


# BIP44 path of a holder's Safe owner key; its token label (CKA_LABEL) is this path.
OWNER_PATH = "m/44'/60'/0'/0/0"
