"""The registered wallet in the formats other coordinators read: public data, pure functions."""

from __future__ import annotations

import json
from dataclasses import dataclass

from signer.chains.bitcoin.checksum import with_checksum
from signer.chains.bitcoin.wallet import RECEIVE, MultisigWallet, format_path

BSMS_VERSION = "BSMS 1.0"
BSMS_PATH_RESTRICTIONS = "/0/*,/1/*"
COLDCARD_NAME_MAX = 20  # Coldcard keeps at most 20 characters of a multisig wallet's name


@dataclass(frozen=True)
class SafeOwners:
    """The Ethereum side of the registered wallet: owners in holder order, chain, Safe."""

    owners: tuple[str, ...]
    chain_id: int
    safe_version: str
    safe: str | None = None
    threshold: int = 2


def _origin_path(wallet: MultisigWallet, holder: str) -> str:
    return format_path(wallet.cosigner(holder).path_indexes)


def descriptors(wallet: MultisigWallet) -> str:
    """Three lines: the multipath ``<0;1>/*`` descriptor, then the receive and change ones."""
    return "\n".join(wallet.descriptor(branch) for branch in (None, 0, 1)) + "\n"


def bsms_template(wallet: MultisigWallet) -> str:
    """BIP-129 descriptor template: keys end in ``/**`` (restricted by the record's paths)."""
    keys = []
    for cosigner in wallet.cosigners:
        origin = cosigner.fingerprint.hex() + _origin_path(wallet, cosigner.holder)[1:]
        keys.append(f"[{origin}]{cosigner.xpub}/**")
    return with_checksum(f"wsh(sortedmulti({wallet.threshold},{','.join(keys)}))")


def bsms_record(wallet: MultisigWallet) -> str:
    """BIP-129 descriptor record: version, template, path restrictions, first receive address."""
    lines = [
        BSMS_VERSION,
        bsms_template(wallet),
        BSMS_PATH_RESTRICTIONS,
        wallet.address(RECEIVE, 0),
    ]
    return "\n".join(lines) + "\n"


def coldcard_setup(wallet: MultisigWallet) -> str:
    """Coldcard multisig setup file (Name, Policy, Derivation, Format, then ``XFP: xpub``)."""
    paths = {_origin_path(wallet, c.holder) for c in wallet.cosigners}
    lines = [
        f"# Coldcard multisig setup file for wallet {wallet.name} (written by airsign)",
        f"Name: {wallet.name[:COLDCARD_NAME_MAX]}",
        f"Policy: {wallet.threshold} of {len(wallet.cosigners)}",
    ]
    shared_path = len(paths) == 1
    if shared_path:
        lines.append(f"Derivation: {paths.pop()}")
    lines += ["Format: P2WSH", ""]
    for cosigner in wallet.cosigners:
        if not shared_path:
            lines.append(f"Derivation: {_origin_path(wallet, cosigner.holder)}")
        lines.append(f"{cosigner.fingerprint.hex().upper()}: {cosigner.xpub}")
    return "\n".join(lines) + "\n"


def caravan_wallet(wallet: MultisigWallet) -> str:
    """Caravan wallet configuration JSON (P2WSH, quorum, extended public keys)."""
    config = {
        "name": wallet.name,
        "addressType": "P2WSH",
        "network": wallet.network,
        "client": {"type": "public"},
        "quorum": {"requiredSigners": wallet.threshold, "totalSigners": len(wallet.cosigners)},
        "extendedPublicKeys": [
            {
                "name": cosigner.holder,
                "bip32Path": _origin_path(wallet, cosigner.holder),
                "xpub": cosigner.xpub,
                "xfp": cosigner.fingerprint.hex(),
                "method": "text",
            }
            for cosigner in wallet.cosigners
        ],
        "startingAddressIndex": 0,
    }
    return json.dumps(config, indent=2) + "\n"


def safe_owners(safe: SafeOwners) -> str:
    """Safe owners JSON: owners, threshold, chain id, Safe version and address (or null)."""
    document = {
        "owners": list(safe.owners),
        "threshold": safe.threshold,
        "chainId": safe.chain_id,
        "safeVersion": safe.safe_version,
        "safe": safe.safe,
    }
    return json.dumps(document, indent=2) + "\n"
