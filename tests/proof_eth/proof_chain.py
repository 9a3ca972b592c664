"""Safes whose EIP-1271 path is the real one: v1.3.0/v1.4.1 with the CompatibilityFallbackHandler
set at setup (as the Safe web app deploys them), v1.1.1 answering isValidSignature itself.

Builds on tests/ethereum/safe_chain.py (same chain, singletons and factories); only the
fallback handler argument of ``setup`` differs, so it lives here rather than there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eth_tester.exceptions import TransactionFailed
from safe_chain import FACTORIES, ZERO, SafeChain
from safe_eth.eth.contracts import (
    get_compatibility_fallback_handler_V1_3_0_contract,
    get_compatibility_fallback_handler_V1_4_1_contract,
)
from web3.contract import Contract
from web3.exceptions import ContractLogicError

from signer.chains.proof.safe_message import AuditorCall

HANDLERS: dict[str, Callable[..., Any]] = {
    "1.3.0": get_compatibility_fallback_handler_V1_3_0_contract,
    "1.4.1": get_compatibility_fallback_handler_V1_4_1_contract,
}
VERSIONS = ("1.1.1", "1.3.0", "1.4.1")


class ProofChain(SafeChain):
    """The Safe test chain, plus one CompatibilityFallbackHandler per version."""

    def __init__(self) -> None:
        super().__init__()
        self.handlers: dict[str, Contract] = {}

    def handler(self, version: str) -> Contract:
        if version not in self.handlers:
            self.handlers[version] = self._deploy(HANDLERS[version](self.w3))
        return self.handlers[version]

    def create_proof_safe(
        self, version: str, owners: Sequence[str], threshold: int = 2
    ) -> Contract:
        """A Safe of ``version``; from v1.3.0 on, its fallback handler is set at setup."""
        if version not in self._factories:
            self._factories[version] = self._deploy(FACTORIES[version](self.w3))
        singleton = self.singleton(version)
        handler = self.handler(version).address if version in HANDLERS else ZERO
        setup = singleton.encode_abi(
            "setup", args=[list(owners), threshold, ZERO, b"", handler, ZERO, 0, ZERO]
        )
        self._salt += 1
        create = self._factories[version].functions.createProxyWithNonce(
            singleton.address, setup, self._salt
        )
        address = create.call({"from": self.sender})
        self.transact(create)
        return self.w3.eth.contract(address=address, abi=singleton.abi)

    def contract_message_hash(self, safe: Contract, version: str, data: bytes) -> bytes:
        """getMessageHash as the contract computes it (the handler's, through the Safe)."""
        if version in HANDLERS:
            at_safe = self.w3.eth.contract(address=safe.address, abi=self.handler(version).abi)
            return bytes(at_safe.functions.getMessageHash(data).call())
        return bytes(safe.functions.getMessageHash(data).call())

    def is_valid_signature(
        self, safe: Contract, call: AuditorCall, signatures: bytes
    ) -> bytes | None:
        """The 4 bytes the Safe returns to an auditor's eth_call, None when it reverts."""
        try:
            raw = self.w3.eth.call({"to": safe.address, "data": call.calldata(signatures)})
        except (TransactionFailed, ContractLogicError):
            return None
        return bytes(raw[:4])
