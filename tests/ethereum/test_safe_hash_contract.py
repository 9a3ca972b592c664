"""Our SafeTx hash equals the real Safe contracts' getTransactionHash, for each domain shape."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safe_chain import SafeChain, SafeWallet
from web3.contract import Contract

from signer.chains.ethereum.safe_hash import domain_separator, safe_tx_hash, verified_safe_tx_hash
from signer.chains.ethereum.signing import SafeOwner
from signer.errors import Rejected

addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
uints = st.one_of(st.integers(0, 10**6), st.integers(0, 2**256 - 1))
fields = st.fixed_dictionaries(
    {
        "to": addresses,
        "value": uints.map(str),
        "data": st.binary(max_size=300).map(lambda b: "0x" + b.hex()),
        "operation": st.sampled_from([0, 1]),
        "safeTxGas": uints.map(str),
        "baseGas": uints.map(str),
        "gasPrice": uints,
        "gasToken": addresses,
        "refundReceiver": addresses,
        "nonce": uints,
    }
)
CONTRACT_HASH = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("version", ["1.1.1", "1.4.1"])
@CONTRACT_HASH
@given(draft=fields)
def test_hash_equals_proxy_safe_contract(
    deployed: SafeWallet, version: str, draft: dict[str, object]
) -> None:
    chain, safe = deployed.chain, deployed.safes[version]
    tx = chain.draft(safe, version, **draft)
    assert safe_tx_hash(tx) == chain.contract_hash(safe, tx)


@pytest.fixture(scope="module")
def older_safes(chain: SafeChain, owners: list[SafeOwner]) -> dict[str, Contract]:
    return {v: chain.create_safe(v, [o.owner for o in owners]) for v in ("1.0.0", "1.3.0")}


@pytest.mark.parametrize("version", ["1.0.0", "1.3.0"])
@CONTRACT_HASH
@given(draft=fields)
def test_hash_equals_other_versions_contract(
    chain: SafeChain, older_safes: dict[str, Contract], version: str, draft: dict[str, object]
) -> None:
    safe = older_safes[version]
    tx = chain.draft(safe, version, **draft)
    assert safe_tx_hash(tx) == chain.contract_hash(safe, tx)


@pytest.mark.parametrize("version", ["1.1.1", "1.4.1"])
def test_domain_separator_equals_contract(deployed: SafeWallet, version: str) -> None:
    safe = deployed.safes[version]
    ours = domain_separator(safe.address, deployed.chain.chain_id, version)
    assert ours == bytes(safe.functions.domainSeparator().call())


def test_domain_with_chain_id_differs_per_chain_only_from_1_3_0(deployed: SafeWallet) -> None:
    safe = deployed.safes["1.4.1"].address
    assert domain_separator(safe, 1, "1.2.0") == domain_separator(safe, 5, "1.2.0")
    assert domain_separator(safe, 1, "1.3.0") != domain_separator(safe, 5, "1.3.0")


def test_claimed_hash_mismatch_is_rejected_showing_both(deployed: SafeWallet) -> None:
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    honest = chain.draft(safe, "1.4.1", value="1")
    real = chain.contract_hash(safe, honest)
    claimed = chain.draft(safe, "1.4.1", value="1", safeTxHash="0x" + real.hex())
    assert verified_safe_tx_hash(claimed) == real
    lie = "0x" + bytes(32 - 1).hex() + "01"
    with pytest.raises(Rejected) as caught:
        verified_safe_tx_hash(chain.draft(safe, "1.4.1", value="1", safeTxHash=lie))
    assert caught.value.code == "hash_mismatch"
    assert real.hex() in caught.value.message and lie[2:] in caught.value.message
