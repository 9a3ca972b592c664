"""Proof of reserves: ownership proofs (BIP-322 for the Bitcoin wallet, EIP-1271 for the Safe)."""
