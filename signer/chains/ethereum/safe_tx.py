"""The Safe transaction draft (FORMATS.md "Safe transaction JSON"), read strictly."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from signer.chains.ethereum.fields import (
    parse_address,
    parse_hash32,
    parse_hex_bytes,
    parse_uint,
)
from signer.errors import BadInput, bad_input
from signer.jsondepth import json_depth_exceeds

SUPPORTED_VERSIONS = ("1.0.0", "1.1.0", "1.1.1", "1.2.0", "1.3.0", "1.4.0", "1.4.1")
DEFAULT_MAX_DATA_BYTES = 64 * 1024
CALL, DELEGATECALL = 0, 1

_REQUIRED = (
    "safe", "chainId", "safeVersion", "to", "value", "data", "operation",
    "safeTxGas", "baseGas", "gasPrice", "gasToken", "refundReceiver", "nonce",
)  # fmt: skip
_OPTIONAL = ("safeTxHash",)


@dataclass(frozen=True)
class SafeTx:
    """A Safe transaction as the Safe contract will hash and execute it."""

    safe: str
    chain_id: int
    safe_version: str
    to: str
    value: int
    data: bytes
    operation: int
    safe_tx_gas: int
    base_gas: int
    gas_price: int
    gas_token: str
    refund_receiver: str
    nonce: int
    claimed_hash: bytes | None = None  # the draft's own safeTxHash; never trusted

    def to_json(self) -> dict[str, Any]:
        """The FORMATS.md JSON object, integers as decimal strings except chainId and nonce."""
        obj: dict[str, Any] = {
            "safe": self.safe,
            "chainId": self.chain_id,
            "safeVersion": self.safe_version,
            "to": self.to,
            "value": str(self.value),
            "data": "0x" + self.data.hex(),
            "operation": self.operation,
            "safeTxGas": str(self.safe_tx_gas),
            "baseGas": str(self.base_gas),
            "gasPrice": str(self.gas_price),
            "gasToken": self.gas_token,
            "refundReceiver": self.refund_receiver,
            "nonce": self.nonce,
        }
        if self.claimed_hash is not None:
            obj["safeTxHash"] = "0x" + self.claimed_hash.hex()
        return obj


def parse_safe_tx(obj: object, source: str, max_data_bytes: int = DEFAULT_MAX_DATA_BYTES) -> SafeTx:
    """Validate a decoded JSON object as a Safe transaction; ``source`` names it in errors."""
    if not isinstance(obj, Mapping):
        raise bad_input(source, "(top level)", "a JSON object with the Safe transaction fields")
    unknown = sorted(str(k) for k in obj if k not in _REQUIRED and k not in _OPTIONAL)
    if unknown:
        raise BadInput(
            "unknown_field",
            f"{source}: field '{unknown[0]}': not a Safe transaction field; expected only "
            + ", ".join(_REQUIRED + _OPTIONAL),
        )
    missing = [k for k in _REQUIRED if k not in obj]
    if missing:
        raise BadInput("missing_field", f"{source}: field '{missing[0]}': required but missing")
    version = obj["safeVersion"]
    if version not in SUPPORTED_VERSIONS:
        raise BadInput(
            "unsupported_safe_version",
            f"{source}: field 'safeVersion': expected one of {', '.join(SUPPORTED_VERSIONS)}",
        )
    operation = parse_uint(obj["operation"], source, "operation", maximum=DELEGATECALL)
    chain_id = parse_uint(obj["chainId"], source, "chainId")
    if chain_id == 0:
        raise bad_input(source, "chainId", "a positive chain id")
    claimed = obj.get("safeTxHash")
    return SafeTx(
        safe=parse_address(obj["safe"], source, "safe"),
        chain_id=chain_id,
        safe_version=str(version),
        to=parse_address(obj["to"], source, "to"),
        value=parse_uint(obj["value"], source, "value"),
        data=parse_hex_bytes(obj["data"], source, "data", max_data_bytes),
        operation=operation,
        safe_tx_gas=parse_uint(obj["safeTxGas"], source, "safeTxGas"),
        base_gas=parse_uint(obj["baseGas"], source, "baseGas"),
        gas_price=parse_uint(obj["gasPrice"], source, "gasPrice"),
        gas_token=parse_address(obj["gasToken"], source, "gasToken"),
        refund_receiver=parse_address(obj["refundReceiver"], source, "refundReceiver"),
        nonce=parse_uint(obj["nonce"], source, "nonce"),
        claimed_hash=None if claimed is None else parse_hash32(claimed, source, "safeTxHash"),
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        keys = [k for k, _ in pairs]
        duplicate = next(k for k in keys if keys.count(k) > 1)
        raise ValueError(f"duplicate key '{duplicate}'")
    return obj


def _no_constant(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")


def parse_safe_tx_json(
    raw: bytes | str, source: str, max_data_bytes: int = DEFAULT_MAX_DATA_BYTES
) -> SafeTx:
    """Parse UTF-8 Safe transaction JSON; duplicate keys, NaN, Infinity and nesting are refused."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if json_depth_exceeds(text, 1):
            raise ValueError("nested arrays or objects; the Safe transaction is one flat object")
        obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError too
        raise BadInput(
            "bad_json", f"{source}: expected a Safe transaction JSON object: {exc}"
        ) from None
    return parse_safe_tx(obj, source, max_data_bytes)
