"""Loading a policy file, its address lists, and the hash operators compare aloud."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from signer.canonical import canonical_json
from signer.errors import BadInput
from signer.operator_files import read_small_file
from signer.risk.addresses import parse_address_list
from signer.risk.policy import PolicyDocument
from signer.risk.policy_errors import describe
from signer.store.toml_text import parse_toml

CODE = "bad_policy"
_LIST_LIMIT = 16 * 1024 * 1024
_POLICY_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class Policy:
    """A validated policy with its address lists loaded and normalised."""

    document: PolicyDocument
    allowlist: frozenset[str] | None
    denylist: frozenset[str]
    source: str
    canonical: bytes

    @property
    def hash(self) -> str:
        """Hex SHA-256 of ``canonical`` (equals policy_hash(file) when no lists are named)."""
        return hashlib.sha256(self.canonical).hexdigest()


def _parse_toml(data: bytes, where: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(CODE, f"{where}: expected UTF-8 text ({exc.reason})") from None
    return parse_toml(text, where, CODE)


def _canonical(raw: dict[str, Any], lists: dict[str, list[str]]) -> bytes:
    # Comments, key order and layout do not change the canonical bytes or their hash.
    return canonical_json({"policy": raw, **lists})


def policy_hash(policy_bytes: bytes) -> str:
    """Hex SHA-256 of the canonical JSON ``{"policy": <document>}`` of a valid policy TOML."""
    raw = _parse_toml(policy_bytes, "policy")
    _validated(raw, "policy")
    return hashlib.sha256(_canonical(raw, {})).hexdigest()


def _read(path: Path, limit: int, where: str, field: str) -> bytes:
    return read_small_file(path, limit, CODE, f"{where}: field '{field}'")


def _validated(raw: dict[str, Any], where: str) -> PolicyDocument:
    try:
        return PolicyDocument.model_validate(raw)
    except ValidationError as exc:
        raise BadInput(CODE, describe(exc, where, PolicyDocument)) from None


def _load_list(base: Path, name: str, where: str, field: str) -> list[str]:
    data = _read(base / name, _LIST_LIMIT, where, field)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(CODE, f"{where}: field '{field}': expected {name} in UTF-8") from None
    addresses, problems = parse_address_list(text)
    if problems:
        line, expected = problems[0]
        raise BadInput(CODE, f"{where}: field '{field}': expected {name} line {line}: {expected}")
    return sorted(addresses)


def load_policy(path: str | Path) -> Policy:
    """Read, validate and normalise a policy file and its lists; BadInput names file and field."""
    path = Path(path)
    where = str(path)
    raw = _parse_toml(_read(path, _POLICY_LIMIT, where, "(file)"), where)
    document = _validated(raw, where)
    lists: dict[str, list[str]] = {}
    for field in ("allowlist", "denylist"):
        name = getattr(document.destinations, field)
        if name is not None:
            lists[field] = _load_list(path.parent, name, where, f"destinations.{field}")
    return _assemble(document, raw, lists, where)


def load_canonical_policy(canonical: bytes, source: str = "applied policy") -> Policy:
    """Rebuild a Policy from its ``canonical`` bytes (as stored when the policy was applied)."""
    try:
        stored = json.loads(canonical)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(CODE, f"{source}: expected canonical policy JSON ({exc})") from None
    if not isinstance(stored, dict) or not isinstance(stored.get("policy"), dict):
        raise BadInput(CODE, f"{source}: field 'policy': expected the policy document object")
    lists = {k: v for k, v in stored.items() if k in ("allowlist", "denylist")}
    if not all(isinstance(v, list) and all(isinstance(a, str) for a in v) for v in lists.values()):
        raise BadInput(CODE, f"{source}: field 'allowlist/denylist': expected lists of addresses")
    policy = _assemble(_validated(stored["policy"], source), stored["policy"], lists, source)
    if policy.canonical != canonical:
        raise BadInput(CODE, f"{source}: expected bytes in canonical form (re-apply the policy)")
    return policy


def _assemble(
    document: PolicyDocument, raw: dict[str, Any], lists: dict[str, list[str]], where: str
) -> Policy:
    allow = lists.get("allowlist")
    return Policy(
        document=document,
        allowlist=frozenset(allow) if allow is not None else None,
        denylist=frozenset(lists.get("denylist", ())),
        source=where,
        canonical=_canonical(raw, lists),
    )
