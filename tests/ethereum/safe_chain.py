"""An in-process Ethereum (eth-tester + py-evm) with the real Safe contracts, for tests.

The owners are parameters (addresses only): the same chain serves software keys here
and HSM-held keys in the end-to-end tests. Contracts and ABIs come from safe-eth-py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from safe_eth.eth.contracts import (
    get_example_erc20_contract,
    get_multi_send_call_only_V1_4_1_contract,
    get_proxy_factory_V1_0_0_contract,
    get_proxy_factory_V1_1_1_contract,
    get_proxy_factory_V1_3_0_contract,
    get_proxy_factory_V1_4_1_contract,
    get_safe_V1_0_0_contract,
    get_safe_V1_1_1_contract,
    get_safe_V1_3_0_contract,
    get_safe_V1_4_1_contract,
)
from web3 import EthereumTesterProvider, Web3
from web3.contract import Contract
from web3.types import Wei

from signer.chains.ethereum.safe_tx import SafeTx, parse_safe_tx

ZERO = "0x0000000000000000000000000000000000000000"
SINGLETONS: dict[str, Callable[..., Any]] = {
    "1.0.0": get_safe_V1_0_0_contract,
    "1.1.1": get_safe_V1_1_1_contract,
    "1.3.0": get_safe_V1_3_0_contract,
    "1.4.1": get_safe_V1_4_1_contract,
}
FACTORIES: dict[str, Callable[..., Any]] = {
    "1.0.0": get_proxy_factory_V1_0_0_contract,
    "1.1.1": get_proxy_factory_V1_1_1_contract,
    "1.3.0": get_proxy_factory_V1_3_0_contract,
    "1.4.1": get_proxy_factory_V1_4_1_contract,
}
# Runtime code that stores its first argument in storage slot 0 whatever function is called:
# PUSH1 4 CALLDATALOAD PUSH1 0 SSTORE STOP. Slot 0 of a Safe proxy is its singleton, so a
# delegatecall to this replaces the Safe's implementation (the 2025 cold-wallet attack).
SLOT0_WRITER_RUNTIME = bytes.fromhex("60043560005500")
SLOT0_WRITER_INIT = bytes.fromhex("6007600c60003960076000f3") + SLOT0_WRITER_RUNTIME


class SafeChain:
    """One eth-tester chain; deploys singletons, factories, Safes, tokens and libraries."""

    def __init__(self) -> None:
        self.w3 = Web3(EthereumTesterProvider())
        self.sender = self.w3.eth.accounts[0]  # pays gas for deployments and execTransaction
        self._singletons: dict[str, Contract] = {}
        self._factories: dict[str, Contract] = {}
        self._salt = 0

    @property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def _deploy(self, factory: Any, *args: Any) -> Contract:
        tx_hash = factory.constructor(*args).transact({"from": self.sender})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        address = receipt["contractAddress"]
        return cast(Contract, self.w3.eth.contract(address=address, abi=factory.abi))

    def transact(self, call: Any) -> Any:
        """Send a contract call from the gas payer; raises if it reverts."""
        receipt = self.w3.eth.wait_for_transaction_receipt(call.transact({"from": self.sender}))
        assert receipt["status"] == 1
        return receipt

    def singleton(self, version: str) -> Contract:
        """The Safe singleton (master copy) of ``version``, deployed once."""
        if version not in self._singletons:
            self._singletons[version] = self._deploy(SINGLETONS[version](self.w3))
        return self._singletons[version]

    def create_safe(self, version: str, owners: Sequence[str], threshold: int = 2) -> Contract:
        """A fresh proxy Safe of ``version`` set up with ``owners`` and ``threshold``."""
        if version not in self._factories:
            self._factories[version] = self._deploy(FACTORIES[version](self.w3))
        singleton = self.singleton(version)
        handler = [] if version == "1.0.0" else [ZERO]  # 1.0.0 has no fallback handler
        setup = singleton.encode_abi(
            "setup", args=[list(owners), threshold, ZERO, b"", *handler, ZERO, 0, ZERO]
        )
        self._salt += 1
        create = self._factories[version].functions.createProxyWithNonce(
            singleton.address, setup, self._salt
        )
        address = create.call({"from": self.sender})
        self.transact(create)
        return self.w3.eth.contract(address=address, abi=singleton.abi)

    def deploy_token(self, symbol: str, decimals: int, holder: str, supply: int) -> Contract:
        """An ERC-20 test token with ``supply`` base units minted to ``holder``."""
        return self._deploy(
            get_example_erc20_contract(self.w3), f"{symbol} test", symbol, decimals, holder, supply
        )

    def deploy_multisend_call_only(self) -> Contract:
        return self._deploy(get_multi_send_call_only_V1_4_1_contract(self.w3))

    def deploy_code(self, init_code: bytes) -> str:
        """Deploy raw EVM init code; returns the contract address."""
        tx_hash = self.w3.eth.send_transaction({"from": self.sender, "data": init_code})
        return str(self.w3.eth.wait_for_transaction_receipt(tx_hash)["contractAddress"])

    def fund(self, address: str, wei: int) -> None:
        tx_hash = self.w3.eth.send_transaction(
            {"from": self.sender, "to": address, "value": Wei(wei)}
        )
        self.w3.eth.wait_for_transaction_receipt(tx_hash)

    def balance(self, address: str) -> int:
        return int(self.w3.eth.get_balance(Web3.to_checksum_address(address)))

    def draft(self, safe: Contract, version: str, **fields: Any) -> SafeTx:
        """A Safe tx draft for ``safe`` as the vault would send it (JSON fields, our parser)."""
        obj: dict[str, Any] = {
            "safe": safe.address, "chainId": self.chain_id, "safeVersion": version,
            "to": ZERO, "value": "0", "data": "0x", "operation": 0, "safeTxGas": "0",
            "baseGas": "0", "gasPrice": "0", "gasToken": ZERO, "refundReceiver": ZERO,
            "nonce": safe.functions.nonce().call(),
        }  # fmt: skip
        obj.update(fields)
        return parse_safe_tx(obj, "test draft")

    @staticmethod
    def _args(tx: SafeTx) -> list[Any]:
        return [
            tx.to, tx.value, tx.data, tx.operation, tx.safe_tx_gas, tx.base_gas,
            tx.gas_price, tx.gas_token, tx.refund_receiver,
        ]  # fmt: skip

    def contract_hash(self, safe: Contract, tx: SafeTx) -> bytes:
        """safeTxHash as the contract computes it (getTransactionHash)."""
        return bytes(safe.functions.getTransactionHash(*self._args(tx), tx.nonce).call())

    def execute(self, safe: Contract, tx: SafeTx, packed: bytes) -> Any:
        """execTransaction with the packed signatures; raises if the Safe refuses."""
        return self.transact(safe.functions.execTransaction(*self._args(tx), packed))

    def storage_slot0(self, address: str) -> bytes:
        return bytes(self.w3.eth.get_storage_at(Web3.to_checksum_address(address), 0))

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Undo every block mined inside the block (isolates tests sharing one chain)."""
        tester = self.w3.provider.ethereum_tester  # type: ignore[attr-defined]
        snapshot_id = tester.take_snapshot()
        try:
            yield
        finally:
            tester.revert_to_snapshot(snapshot_id)


@dataclass
class SafeWallet:
    """Safes (one per version) sharing three owners, funded with ETH and a test token."""

    chain: SafeChain
    owners: list[str]
    safes: dict[str, Contract]
    token: Contract  # "USDT", 6 decimals
    multisend: Contract  # MultiSendCallOnly 1.4.1


def deploy_wallet(
    chain: SafeChain,
    owners: Sequence[str],
    versions: Sequence[str] = ("1.1.1", "1.4.1"),
    threshold: int = 2,
    eth: int = 10 * 10**18,
    usdt: int = 1_000_000 * 10**6,
) -> SafeWallet:
    """Deploy a Safe per version for ``owners`` and fund each with ``eth`` wei and ``usdt``."""
    safes = {v: chain.create_safe(v, owners, threshold) for v in versions}
    token = chain.deploy_token("USDT", 6, chain.sender, usdt * len(safes))
    for safe in safes.values():
        chain.fund(safe.address, eth)
        chain.transact(token.functions.transfer(safe.address, usdt))
    return SafeWallet(chain, list(owners), safes, token, chain.deploy_multisend_call_only())
