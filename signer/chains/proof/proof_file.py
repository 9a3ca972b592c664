"""The exported proof: ``ID.proof.json`` for auditors and integrators (docs/formats.md) and
``ID.proof.txt`` for people. Every signature is checked again while the file is built
(over its BIP-322 digest, by ecrecover against the owner): nothing half-made is written.
"""

from __future__ import annotations

import json
from typing import Any

from signer.chains.ethereum.signing import OwnerSignature
from signer.chains.kind import Artifacts, StoredDraft
from signer.chains.proof.bitcoin_addresses import ProofAddress, locate_addresses
from signer.chains.proof.bitcoin_proof import proof_entries
from signer.chains.proof.request import REQUEST_TYPE, ProofRequest
from signer.chains.proof.review import request_of
from signer.chains.proof.signing import COMPACT, holder_records
from signer.chains.registered_wallet import RegisteredWallet
from signer.errors import Rejected
from signer.hsm.ecdsa import der_encode

SIGHASH_ALL = b"\x01"


def _bitcoin(
    addresses: list[ProofAddress], message: str, records: dict[str, dict[str, bytes]]
) -> list[dict[str, Any]]:
    signatures: dict[str, dict[bytes, bytes]] = {a.address: {} for a in addresses}
    for holder, record in records.items():
        packed = record.get("bitcoin", b"")
        if len(packed) != COMPACT * len(addresses):
            raise Rejected("proof_too_few_signatures", f"holder {holder}'s record holds "
                           f"{len(packed) // COMPACT} signatures for {len(addresses)} addresses")
        for number, found in enumerate(addresses):
            compact = packed[number * COMPACT:(number + 1) * COMPACT]
            der = der_encode(int.from_bytes(compact[:32], "big"),
                             int.from_bytes(compact[32:], "big"))
            signatures[found.address][found.key(holder).pubkey] = der + SIGHASH_ALL
    return proof_entries(addresses, message, signatures)


def _ethereum(
    stored: StoredDraft, wallet: RegisteredWallet, records: dict[str, dict[str, bytes]]
) -> dict[str, Any]:
    from signer.chains.proof.safe_message import auditor_call, packed_signatures

    safe = stored.summary["ethereum"]
    digest = bytes.fromhex(safe["safeMessageHash"][2:])
    signatures = [OwnerSignature(holder, wallet.holder(holder).owner, record["safe"])
                  for holder, record in records.items()]
    packed = packed_signatures(digest, signatures)  # ascending owners, each recovered again
    call = auditor_call(bytes.fromhex(safe["messageHash"][2:]), safe["version"])
    return {**safe, "owners": [h.owner for h in wallet.holders], "threshold": wallet.threshold,
            "signatures": "0x" + packed.hex(), "auditorCall": call.to_json()}


def proof_document(stored: StoredDraft, wallet: RegisteredWallet) -> dict[str, Any]:
    if not stored.complete:
        raise Rejected("not_fully_signed", f"draft {stored.id} has {len(stored.signatures)} of "
                       f"{wallet.threshold} holders' proof signatures; sign with another "
                       "holder first")
    request: ProofRequest = request_of(stored.payload, f"draft {stored.id}")
    records = holder_records(stored.signatures)
    document: dict[str, Any] = {"type": REQUEST_TYPE, "draft": stored.id,
                                "message": request.message}
    if request.bitcoin_addresses:
        addresses = locate_addresses(wallet.bitcoin, request.bitcoin_addresses,
                                     wallet.receive_keys, wallet.change_keys)
        document["network"] = wallet.network
        document["bitcoin"] = _bitcoin(addresses, request.message, records)
    if request.ethereum is not None:
        document["ethereum"] = _ethereum(stored, wallet, records)
    return document


def _text(document: dict[str, Any]) -> str:
    lines = ["Proof of reserves (airsign draft " + document["draft"] + ")", "",
             "Message (signed exactly as below, UTF-8, one line):", document["message"], ""]
    for entry in document.get("bitcoin", []):
        lines += [f"Bitcoin address {entry['address']} (wallet path {entry['path']})",
                  f"  witnessScript {entry['witnessScript']}",
                  f"  BIP-322 simple: {entry['bip322_simple']}", ""]
    safe = document.get("ethereum")
    if safe is not None:
        lines += [f"Safe {safe['safe']} (chain id {safe['chainId']}, Safe v{safe['version']}), "
                  f"{safe['threshold']} of owners {', '.join(safe['owners'])}",
                  f"  messageHash (EIP-191)   {safe['messageHash']}",
                  f"  SafeMessage hash        {safe['safeMessageHash']}",
                  f"  owner signatures        {safe['signatures']}",
                  f"  check: eth_call {safe['auditorCall']['function']} on the Safe returns "
                  f"{safe['auditorCall']['magic']}", ""]
    lines += ["Check it without trusting airsign: airsign proof verify "
              f"{document['draft']}.proof.json (docs/proof-of-reserves.md names other tools)."]
    return "\n".join(lines) + "\n"


def artifacts(stored: StoredDraft, wallet: RegisteredWallet) -> Artifacts:
    document = proof_document(stored, wallet)
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    text = _text(document).encode("utf-8")
    return Artifacts({f"{stored.id}.proof.json": data, f"{stored.id}.proof.txt": text},
                     data, "bytes")
