"""The CKA_ID of an imported secp256k1 key is Bitcoin's hash160 of its compressed public key.

The hsm layer computes it itself (it imports no chain code); the Bitcoin code finds a
PSBT's keys on the tokens by that rule, so the two must agree byte for byte.
"""

from __future__ import annotations

import os

import coincurve
from embit import bech32
from embit.hashes import hash160

from signer.chains.bitcoin.wallet import key_id
from signer.hsm.key_ids import secp256k1_key_id

# BIP 173, "Examples": every example uses this public key (the generator point), and the
# mainnet P2WPKH address below carries its hash160 as the witness program.
BIP173_PUBKEY = bytes.fromhex("0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798")
BIP173_P2WPKH = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


def test_the_key_id_is_the_witness_program_of_the_bip173_example() -> None:
    version, program = bech32.decode("bc", BIP173_P2WPKH)
    assert version == 0
    assert secp256k1_key_id(BIP173_PUBKEY) == bytes(program)


def test_the_bitcoin_wallet_names_keys_as_the_token_does() -> None:
    for _ in range(20):
        public = coincurve.PrivateKey(os.urandom(32)).public_key.format()
        assert secp256k1_key_id(public) == hash160(public) == key_id(public)
