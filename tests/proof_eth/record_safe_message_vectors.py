"""Record tests/vectors/safe-message-proofs.json from the real Safe contracts (py-evm).

Usage (from the repository root): PYTHONPATH=. python tests/proof_eth/record_safe_message_vectors.py
Each hash comes from the contract (getMessageHash through the Safe, or the Safe's own), the
magic value from the auditor's eth_call; the signatures are the test owners' (deterministic
RFC 6979, by coincurve), so the file is a worked example an auditor can re-run anywhere.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS / "ethereum"), str(TESTS / "proof_eth")]

from conftest import owner_secret, software_sign_digest  # noqa: E402
from eth_account import Account  # noqa: E402
from proof_chain import VERSIONS, ProofChain  # noqa: E402

from signer.chains.ethereum.signing import SafeOwner  # noqa: E402
from signer.chains.proof.safe_message import (  # noqa: E402
    auditor_call,
    message_hash,
    packed_signatures,
    safe_message_data,
    sign_safe_message,
)

MESSAGES = (
    "ACME Exchange proof of reserves 2026-12-01: ACME controls this Safe",
    "ACME Exchange proof of reserves 2026-12 — réserves ✓",
)


def main() -> None:
    chain = ProofChain()
    owners = [
        SafeOwner(
            h, Account.from_key(owner_secret(h)).address, software_sign_digest(owner_secret(h))
        )
        for h in "ABC"
    ]
    cases = []
    for version in VERSIONS:
        safe = chain.create_proof_safe(version, [o.owner for o in owners])
        for message in MESSAGES:
            digest = message_hash(message)
            safe_digest = chain.contract_message_hash(safe, version, safe_message_data(digest))
            packed = packed_signatures(safe_digest, sign_safe_message(safe_digest, owners[:2]))
            call = auditor_call(digest, version)
            returned = chain.is_valid_signature(safe, call, packed)
            assert returned == call.magic, (version, message)
            cases.append({
                "message": message, "safe": safe.address, "chainId": chain.chain_id,
                "version": version, "owners": [o.owner for o in owners], "threshold": 2,
                "messageHash": "0x" + digest.hex(), "safeMessageHash": "0x" + safe_digest.hex(),
                "signatures": "0x" + packed.hex(), "function": call.function,
                "calldata": "0x" + call.calldata(packed).hex(), "returned": "0x" + returned.hex(),
            })  # fmt: skip
    document = {
        "source": "recorded by tests/proof_eth/record_safe_message_vectors.py: Safe v1.1.1, "
        "v1.3.0, v1.4.1 and CompatibilityFallbackHandler v1.3.0/v1.4.1 bytecode from the "
        "safe-eth-py 7.27.0 artifacts, executed by py-evm through eth-tester",
        "cases": cases,
    }
    out = TESTS / "vectors" / "safe-message-proofs.json"
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
