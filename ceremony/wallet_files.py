"""The registered wallet's standard exports, by format name (`wallet export --format F`)."""

from __future__ import annotations

from collections.abc import Callable

from ceremony import exports
from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import BadInput

FORMATS = ("descriptor", "bsms", "coldcard", "caravan", "safe-owners")


def _safe_owners(wallet: RegisteredWallet) -> str:
    if wallet.chain_id is None or wallet.safe_version is None:
        raise BadInput(
            "no_ethereum", f"wallet {wallet.name!r} has no [ethereum] section: no Safe owners"
        )
    owners = tuple(h.owner for h in wallet.holders)
    return exports.safe_owners(
        exports.SafeOwners(owners, wallet.chain_id, wallet.safe_version, wallet.safe)
    )


_RENDER: dict[str, Callable[[RegisteredWallet], str]] = {
    "descriptor": lambda w: exports.descriptors(w.bitcoin),
    "bsms": lambda w: exports.bsms_record(w.bitcoin),
    "coldcard": lambda w: exports.coldcard_setup(w.bitcoin),
    "caravan": lambda w: exports.caravan_wallet(w.bitcoin),
    "safe-owners": _safe_owners,
}

FILE_NAMES = {
    "descriptor": "{name}.descriptor.txt",
    "bsms": "{name}.bsms",
    "coldcard": "{name}-coldcard.txt",
    "caravan": "{name}-caravan.json",
    "safe-owners": "{name}-safe-owners.json",
}


def render(wallet: RegisteredWallet, format_name: str) -> str:
    if format_name not in _RENDER:
        raise BadInput("bad_format", f"--format: expected one of {', '.join(FORMATS)}, "
                       f"got {format_name!r}")
    return _RENDER[format_name](wallet)


def ceremony_exports(wallet: RegisteredWallet) -> dict[str, str]:
    """Every export the ceremony writes: file name -> content."""
    files = {}
    for format_name in FORMATS:
        if format_name == "safe-owners" and wallet.chain_id is None:
            continue
        files[FILE_NAMES[format_name].format(name=wallet.name)] = render(wallet, format_name)
    return files
