"""Ethereum Safe drafts: strict parsing, recomputed SafeTx hash, decoding, checks, signing."""

from signer.chains.ethereum.checks import Finding, screen_safe_tx
from signer.chains.ethereum.decode import decode_safe_tx
from signer.chains.ethereum.safe_hash import safe_tx_hash, verified_safe_tx_hash
from signer.chains.ethereum.safe_tx import (
    SUPPORTED_VERSIONS,
    SafeTx,
    parse_safe_tx,
    parse_safe_tx_json,
)
from signer.chains.ethereum.settings import Settings
from signer.chains.ethereum.signing import (
    OwnerSignature,
    SafeOwner,
    SafeSignatures,
    export_json,
    recover_owner,
    sign_safe_tx,
)
from signer.chains.ethereum.tokens import Token, TokenRegistry
from signer.chains.ethereum.view import DecodedCall, OperatorView

__all__ = [
    "SUPPORTED_VERSIONS",
    "DecodedCall",
    "Finding",
    "OperatorView",
    "OwnerSignature",
    "SafeOwner",
    "SafeSignatures",
    "SafeTx",
    "Settings",
    "Token",
    "TokenRegistry",
    "decode_safe_tx",
    "export_json",
    "parse_safe_tx",
    "parse_safe_tx_json",
    "recover_owner",
    "safe_tx_hash",
    "screen_safe_tx",
    "sign_safe_tx",
    "verified_safe_tx_hash",
]
