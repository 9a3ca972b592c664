"""Holders sign BIP-322 proofs with keys in SoftHSM; python-bitcointx's interpreter judges them."""

from __future__ import annotations

import base64
import io

import pytest
from bitcointx.core import CTransaction
from bitcointx.core.script import (
    SIGHASH_ALL,
    SIGVERSION_WITNESS_V0,
    CScript,
    CScriptWitness,
    SignatureHash,
)
from builders import SeededWallet, make_wallet
from embit.script import Witness
from hsm_wallet import CountingSigner, check_bitcoin_signature, import_wallet_keys

from signer.chains.proof.bitcoin_addresses import ProofAddress, locate_addresses
from signer.chains.proof.bitcoin_proof import holder_digests, proof_entries
from signer.chains.proof.bitcoin_verify import (
    INVALID,
    bitcointx_to_sign,
    bitcointx_to_spend,
    verify,
)
from signer.errors import BadInput, Rejected
from signer.hsm.token import TokenSession

MESSAGE = "Example Exchange proof of reserves 2026-12-01: these addresses are ours"
POOL = (25, 25)
# 20 addresses, as the acceptance asks: ten receive and ten change, up to the pool's end
BRANCHES = [(0, i) for i in (0, 1, 2, 3, 5, 8, 13, 17, 21, 24)] + [
    (1, i) for i in (0, 1, 2, 4, 6, 9, 12, 16, 20, 24)]


def sign_as(token: TokenSession, addresses: list[ProofAddress], holder: str,
            into: dict[str, dict[bytes, bytes]]) -> CountingSigner:
    """One holder's session: every digest of the proof, signed by their token."""
    signer = CountingSigner(token)
    for request in holder_digests(addresses, MESSAGE, holder):
        signature = signer(request.key_id, request.digest, request.pubkey)
        into.setdefault(request.address, {})[request.pubkey] = signature.der + b"\x01"
    return signer


@pytest.fixture
def proof_addresses(seeded: SeededWallet) -> list[ProofAddress]:
    request = [seeded.wallet.address(*branch) for branch in BRANCHES]
    return locate_addresses(seeded.wallet, request, *POOL)


def give_keys(seeded: SeededWallet, tokens: dict[str, TokenSession], holders: str,
              addresses: list[ProofAddress]) -> None:
    """Put the holders' keys of these addresses in their tokens (as the ceremony does)."""
    for holder in holders:
        import_wallet_keys(tokens[holder], seeded, holder,
                           [(a.change, a.index) for a in addresses])


def _witness(simple: str) -> list[bytes]:
    assert simple.startswith("smp")
    return list(Witness.read_from(io.BytesIO(base64.b64decode(simple[3:]))).items)


def _simple(witness: list[bytes]) -> str:
    return "smp" + base64.b64encode(bytes(Witness(witness).serialize())).decode()


def test_holders_a_and_b_prove_receive_and_change_addresses(
    seeded: SeededWallet, tokens: dict[str, TokenSession], proof_addresses: list[ProofAddress]
) -> None:
    give_keys(seeded, tokens, "AB", proof_addresses)
    signatures: dict[str, dict[bytes, bytes]] = {}
    by_a = sign_as(tokens["A"], proof_addresses, "A", signatures)  # first session
    by_b = sign_as(tokens["B"], proof_addresses, "B", signatures)  # second session
    assert by_a.calls == [a.key("A").key_id for a in proof_addresses]
    assert len(by_b.calls) == len(BRANCHES)

    entries = proof_entries(proof_addresses, MESSAGE, signatures)
    assert [e["address"] for e in entries] == [seeded.wallet.address(*b) for b in BRANCHES]
    for entry, found in zip(entries, proof_addresses, strict=True):
        assert entry["path"] == f"/{found.change}/{found.index}"
        assert entry["witnessScript"] == seeded.wallet.witness_script(
            found.change, found.index).hex()
        for form in ("bip322_simple", "bip322_full"):
            verdict = verify(entry["address"], MESSAGE, entry[form])
            assert verdict.ok, (form, verdict)
            assert (verdict.locktime, verdict.sequence) == (0, 0)
        # the tokens' signatures over python-bitcointx's own digest of its own to_sign
        spend = bitcointx_to_spend(found.script_pubkey, MESSAGE.encode())
        theirs = SignatureHash(CScript(found.witness_script), bitcointx_to_sign(
            spend, CScriptWitness()), 0, SIGHASH_ALL, amount=0, sigversion=SIGVERSION_WITNESS_V0)
        witness = _witness(entry["bip322_simple"])
        assert witness[0] == b"" and witness[-1] == found.witness_script and len(witness) == 4
        for holder in "AB":
            key = found.key(holder)
            check_bitcoin_signature(key.pubkey, signatures[found.address][key.pubkey], theirs)
        # signatures in the witnessScript's key order (sortedmulti: sorted public keys)
        order = sorted((found.key("A").pubkey, found.key("B").pubkey))
        assert witness[1:3] == [signatures[found.address][k] for k in order]
        # the full form carries the same witness in the to_sign transaction
        full = CTransaction.deserialize(base64.b64decode(entry["bip322_full"][3:]))
        assert list(full.wit.vtxinwit[0].scriptWitness.stack) == witness


def test_tampered_message_address_or_signature_fails(
    seeded: SeededWallet, tokens: dict[str, TokenSession], proof_addresses: list[ProofAddress]
) -> None:
    chosen = [proof_addresses[0], proof_addresses[10]]  # a receive and a change address
    give_keys(seeded, tokens, "AC", chosen)
    signatures: dict[str, dict[bytes, bytes]] = {}
    sign_as(tokens["A"], chosen, "A", signatures)
    sign_as(tokens["C"], chosen, "C", signatures)  # any two holders make a proof
    first, second = proof_entries(chosen, MESSAGE, signatures)
    for entry in (first, second):
        assert verify(entry["address"], MESSAGE, entry["bip322_simple"]).ok
        assert verify(entry["address"], MESSAGE, entry["bip322_full"]).ok

    for form in ("bip322_simple", "bip322_full"):
        assert verify(first["address"], MESSAGE + ".", first[form]).state == INVALID
        assert verify(first["address"], MESSAGE.replace("2026", "2025"), first[form]).state == (
            INVALID)
        assert verify(second["address"], MESSAGE, first[form]).state == INVALID
        other_wallet = make_wallet({h: bytes([n]) * 32 for n, h in enumerate("ABC", 3)})
        assert verify(other_wallet.wallet.address(0, 0), MESSAGE, first[form]).state == INVALID

    witness = _witness(first["bip322_simple"])
    flipped = bytearray(witness[1])
    flipped[10] ^= 0x01  # a bit of r
    assert verify(first["address"], MESSAGE, _simple(
        [witness[0], bytes(flipped), *witness[2:]])).state == INVALID
    swapped = [witness[0], witness[2], witness[1], witness[3]]
    assert verify(first["address"], MESSAGE, _simple(swapped)).state == INVALID
    one_signature = [witness[0], witness[1], witness[3]]
    assert verify(first["address"], MESSAGE, _simple(one_signature)).state == INVALID
    borrowed = [witness[0], witness[1], _witness(second["bip322_simple"])[2], witness[3]]
    assert verify(first["address"], MESSAGE, _simple(borrowed)).state == INVALID
    dummy = [b"\x01", *witness[1:]]  # NULLDUMMY: CHECKMULTISIG's extra item must be empty
    assert verify(first["address"], MESSAGE, _simple(dummy)).state == INVALID


def test_a_signature_for_another_address_is_not_assembled(
    seeded: SeededWallet, tokens: dict[str, TokenSession], proof_addresses: list[ProofAddress]
) -> None:
    chosen = proof_addresses[:2]
    give_keys(seeded, tokens, "AB", chosen)
    signatures: dict[str, dict[bytes, bytes]] = {}
    sign_as(tokens["A"], chosen, "A", signatures)
    sign_as(tokens["B"], chosen, "B", signatures)
    first, second = chosen[0].address, chosen[1].address
    signatures[first], signatures[second] = signatures[second], signatures[first]
    with pytest.raises(BadInput) as refused:
        proof_entries(chosen, MESSAGE, signatures)
    assert refused.value.code == "proof_bad_signature"
    del signatures[first]
    with pytest.raises(BadInput) as missing:
        proof_entries(chosen, MESSAGE, signatures)
    assert missing.value.code == "proof_too_few_signatures"


def test_another_wallets_address_is_refused_before_any_token_signs(
    seeded: SeededWallet, tokens: dict[str, TokenSession]
) -> None:
    import_wallet_keys(tokens["A"], seeded, "A", [(0, 0)])
    stranger = make_wallet({h: bytes([n]) * 32 for n, h in enumerate("ABC", 5)}).wallet
    request = [seeded.wallet.address(0, 0), stranger.address(0, 0)]
    signer = CountingSigner(tokens["A"])
    with pytest.raises(Rejected) as refused:
        for request_item in holder_digests(
                locate_addresses(seeded.wallet, request, *POOL), MESSAGE, "A"):
            signer(request_item.key_id, request_item.digest, request_item.pubkey)
    assert refused.value.code == "proof_address_not_ours"
    assert stranger.address(0, 0) in refused.value.message
    assert signer.calls == []


def test_no_mutation_of_a_real_proof_verifies(
    seeded: SeededWallet, tokens: dict[str, TokenSession], proof_addresses: list[ProofAddress]
) -> None:
    """Every byte of both encodings, changed one at a time: never valid, never an exception."""
    signatures: dict[str, dict[bytes, bytes]] = {}
    chosen = proof_addresses[-1:]
    give_keys(seeded, tokens, "BC", chosen)
    sign_as(tokens["B"], chosen, "B", signatures)
    sign_as(tokens["C"], chosen, "C", signatures)
    [entry] = proof_entries(chosen, MESSAGE, signatures)
    for form in ("bip322_simple", "bip322_full"):
        prefix, raw = entry[form][:3], base64.b64decode(entry[form][3:])
        assert verify(entry["address"], MESSAGE, entry[form]).ok
        for position in range(len(raw)):
            changed = bytearray(raw)
            changed[position] ^= 0x01 if position % 2 else 0x80  # low or high bit
            mutated = prefix + base64.b64encode(bytes(changed)).decode()
            assert not verify(entry["address"], MESSAGE, mutated).ok, (form, position)
        for cut in [*range(0, len(raw), 5), *range(len(raw) - 4, len(raw))]:
            truncated = prefix + base64.b64encode(raw[:cut]).decode()
            assert not verify(entry["address"], MESSAGE, truncated).ok
        assert not verify(entry["address"], MESSAGE, entry[form] + "AA==").ok
