"""Ethereum Safe drafts: strict parsing, recomputed SafeTx hash, decoding, checks, signing.

Import from the modules themselves: this package imports nothing, so that listing
drafts (chains/ethereum/words.py) loads no eth-account or pydantic (cold start).
"""
