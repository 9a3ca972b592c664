"""`airsign proof verify`: an exported proof file checked by the independent verifiers only.

No token, no appliance home, none of the code that made the proof: each BIP-322 signature
goes through python-bitcointx's interpreter (bitcoin_verify.py), the Safe's signatures
through eth-account's hashing and recovery (ethereum_verify.py). The file is hostile
input like any other: bounded, strict JSON, every field named in its errors.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from signer.chains.words import printable
from signer.errors import BadInput
from signer.jsondepth import json_depth_exceeds

MAX_PROOF_FILE = 32 * 1024 * 1024  # 10,000 addresses of ~1.2 kB each, with room
MAX_ENTRIES = 10_000
REQUEST_TYPE = "proof-of-reserves"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate key")
    return obj


def _no_constant(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")


def read_proof(raw: bytes, source: str) -> dict[str, Any]:
    if len(raw) > MAX_PROOF_FILE:
        raise BadInput("bad_proof_file", f"{source}: expected a proof file of at most "
                       f"{MAX_PROOF_FILE} bytes, got {len(raw)}")
    try:
        text = raw.decode("utf-8")
        if json_depth_exceeds(text, 4):  # document > ethereum > auditorCall / owners
            raise ValueError("nesting deeper than a proof file's four levels")
        document = json.loads(text, object_pairs_hook=_no_duplicates,
                              parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise BadInput("bad_proof_file", f"{source}: expected a proof JSON document: "
                       f"{str(exc)[:200]}") from None
    if not isinstance(document, dict) or document.get("type") != REQUEST_TYPE:
        raise BadInput("bad_proof_file", f"{source}: field 'type': expected \"{REQUEST_TYPE}\"")
    if not isinstance(document.get("message"), str):
        raise BadInput("bad_proof_file", f"{source}: field 'message': expected a JSON string")
    if "bitcoin" not in document and "ethereum" not in document:
        raise BadInput("bad_proof_file", f"{source}: fields 'bitcoin' and 'ethereum': expected "
                       "at least one of them")
    entries = document.get("bitcoin", [])
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES or not all(
            isinstance(e, dict) for e in entries):
        raise BadInput("bad_proof_file", f"{source}: field 'bitcoin': expected a list of at "
                       f"most {MAX_ENTRIES} address objects")
    return document


def _field(entry: Mapping[str, Any], name: str, where: str, source: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value:
        raise BadInput("bad_proof_file", f"{source}: field '{where}.{name}': expected a string")
    return value


def _witness_script_of(simple: str) -> bytes | None:
    """The last item of a simple signature's witness: the script it proves with."""
    from bitcointx.core.script import CScriptWitness

    try:
        stack = CScriptWitness.deserialize(base64.b64decode(simple.removeprefix("smp"),
                                                            validate=True)).stack
    except (binascii.Error, ValueError, Exception):
        return None
    return bytes(stack[-1]) if stack else None


def check_address(entry: Mapping[str, Any], message: str, where: str,
                  source: str) -> dict[str, Any]:
    """One address: both encodings valid, and the file's witnessScript the one proven."""
    from signer.chains.proof.bitcoin_verify import verify

    address = _field(entry, "address", where, source)
    simple = verify(address, message, _field(entry, "bip322_simple", where, source))
    full = verify(address, message, _field(entry, "bip322_full", where, source))
    script = _field(entry, "witnessScript", where, source)
    problems = [f"{name}: {verdict.reason}" for name, verdict in
                (("bip322_simple", simple), ("bip322_full", full)) if not verdict.ok]
    if simple.ok and _witness_script_of(entry["bip322_simple"]) != _hex(script):
        problems.append("witnessScript: not the script the signature proves with")
    return {"address": address, "path": entry.get("path"), "ok": not problems,
            "problems": problems}


def _hex(text: str) -> bytes | None:
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


def check_safe(part: object, message: str, source: str) -> dict[str, Any]:
    from signer.chains.proof.ethereum_verify import verify_safe_proof_json

    result = verify_safe_proof_json(message, part, source)
    safe = part.get("safe") if isinstance(part, Mapping) else None
    return {"safe": safe, "ok": result.ok, "problems": list(result.problems),
            "messageHash": "0x" + result.message_hash.hex(),
            "safeMessageHash": "0x" + result.safe_message_hash.hex(),
            "signatures": [{"index": s.index, "owner": s.owner, "ok": s.ok, "reason": s.reason}
                           for s in result.signatures]}


def verify_proof(raw: bytes, source: str) -> dict[str, Any]:
    """The verdict on every part of a proof file; ``ok`` only when every part holds."""
    document = read_proof(raw, source)
    message = document["message"]
    bitcoin = [check_address(entry, message, f"bitcoin[{i}]", source)
               for i, entry in enumerate(document.get("bitcoin", []))]
    report: dict[str, Any] = {"file": source, "message": message, "bitcoin": bitcoin}
    ok = all(entry["ok"] for entry in bitcoin)
    if "ethereum" in document:
        report["ethereum"] = check_safe(document["ethereum"], message, source)
        ok = ok and report["ethereum"]["ok"]
    report["ok"] = ok
    return report


def report_lines(report: dict[str, Any]) -> list[str]:
    """In words; everything quoted from the file is made printable (a hostile file)."""
    lines = [f"message: {printable(json.dumps(report['message'], ensure_ascii=False))}"]
    for entry in report["bitcoin"]:
        state = "ok" if entry["ok"] else "FAILED: " + "; ".join(entry["problems"])
        lines.append(printable(f"bitcoin {entry['address']} {entry['path']}: {state}"))
    safe = report.get("ethereum")
    if safe is not None:
        problems = safe["problems"] + [f"signature {s['index']}: {s['reason']}"
                                       for s in safe["signatures"] if not s["ok"]]
        state = "ok" if safe["ok"] else "FAILED: " + "; ".join(problems)
        lines.append(printable(f"Safe {safe['safe']}: {state}"))
    count = len(report["bitcoin"]) + (1 if safe is not None else 0)
    lines.append(f"proof holds: all {count} checks ok" if report["ok"]
                 else "PROOF DOES NOT HOLD")
    return lines
