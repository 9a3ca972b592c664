"""Proof of reserves: ownership proofs signed by the quorum (BIP-322, EIP-1271)."""
