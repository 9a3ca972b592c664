"""docs/examples/proof/: a whole ID.proof.json (and its text twin), made by the proof kind's
own review, attach and export code from the tests' seeded keys (RFC 6979: the same bytes
every run), accepted by `airsign proof verify` and refused with any signature changed.

AIRSIGN_UPDATE_EXAMPLES=1 rewrites the files instead of comparing them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import coincurve
import pytest
from eth_account import Account
from eth_utils import keccak

from signer.chains.kind import DecodeContext, HolderStep, StoredDraft
from signer.chains.proof import proof_file, review, signing
from signer.chains.proof.bitcoin_addresses import ProofAddress, locate_addresses
from signer.chains.proof.request import parse_proof_request_json
from signer.chains.registered_wallet import RegisteredHolder, RegisteredWallet
from signer.cli.main import run
from signer.hsm.token import Unverified
from signer.risk.policy import ProofsPolicy
from tests.bitcoin.builders import make_wallet

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "proof"
MESSAGE = "Example Exchange proof of reserves 2026-12-01: reserves held at block 900000"
SAFE = "0x3599cfBc41eDdC85Ba479c2A4b8F406611fA8EE8"  # made up: no contract is there
CHAIN_ID = 131277322940537


def owner_secret(holder: str) -> bytes:  # as tests/proof_eth/conftest.py
    return keccak(f"airsign proof test owner {holder}".encode())


def example_files() -> dict[str, bytes]:
    seeded = make_wallet()
    holders = tuple(
        RegisteredHolder(c.holder, f"Holder {c.holder}", f"holder-{c.holder.lower()}",
                         c.fingerprint.hex(), c.xpub, c.path,
                         Account.from_key(owner_secret(c.holder)).address)
        for c in seeded.wallet.cosigners)
    wallet = RegisteredWallet(seeded.wallet.name, "regtest", 0, 10, 10, holders, "0" * 64,
                              CHAIN_ID, "1.4.1", SAFE)
    request = {"type": "proof-of-reserves", "message": MESSAGE,
               "bitcoin": {"addresses": [seeded.wallet.address(0, 0),
                                         seeded.wallet.address(1, 0)]},
               "ethereum": {"safe": SAFE, "chainId": CHAIN_ID}}
    payload = json.dumps(request).encode()
    rules = ProofsPolicy(prefixes=("Example Exchange proof of reserves ",))
    decoded = review.decode(payload, "request.json", DecodeContext(wallet, rules=rules))
    assert decoded.facts.findings == ()
    stored = StoredDraft(decoded.id, decoded.payload, decoded.summary, {}, False)
    signed = []
    for step in signing.plan(decoded, ["A", "B"], stored, wallet).steps:
        signed.append((step.holder, software_sign(step, seeded.roots[step.holder], wallet)))
    attached = signing.attach(stored, signed, None, wallet)
    assert attached.failure is None and attached.made[-1].complete
    done = StoredDraft(decoded.id, decoded.payload, decoded.summary,
                       {s.holder: s.record for s in attached.made}, True)
    files = proof_file.artifacts(done, wallet).files
    return {name.replace(decoded.id, "proof-of-reserves"): data for name, data in files.items()}


def software_sign(step: HolderStep, root: object, wallet: RegisteredWallet) -> object:
    """What a holder's token would return, from the seeded keys (deterministic)."""
    work: signing.HolderWork = step.work
    found = {a.address: a for a in review_addresses(wallet)}
    bitcoin = []
    for digest in work.bitcoin:
        address = found[digest.address]
        path = list(wallet.bitcoin.child_path(step.holder, address.change, address.index))
        key = coincurve.PrivateKey(root.derive(path).key.secret)  # type: ignore[attr-defined]
        bitcoin.append(Unverified("software", key.sign_recoverable(digest.digest, hasher=None)
                                  [:64], digest.digest, digest.pubkey))
    owner = coincurve.PrivateKey(owner_secret(step.holder))
    assert work.safe_digest is not None
    safe = Unverified("software", owner.sign_recoverable(work.safe_digest, hasher=None)[:64],
                      work.safe_digest, owner.public_key.format())
    return signing.HolderSigned(tuple(bitcoin), safe)


def review_addresses(wallet: RegisteredWallet) -> list[ProofAddress]:
    return list(locate_addresses(wallet.bitcoin, [wallet.bitcoin.address(0, 0),
                                                  wallet.bitcoin.address(1, 0)], 10, 10))


def verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    capsys.readouterr()
    code = run(["--home", str(path.parent / "no-home"), "--json", "proof", "verify", str(path)])
    return code, json.loads(capsys.readouterr().out)


def test_the_example_proof_file_is_what_the_code_makes_and_it_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = example_files()
    if os.environ.get("AIRSIGN_UPDATE_EXAMPLES"):
        EXAMPLES.mkdir(exist_ok=True)
        for name, data in files.items():
            (EXAMPLES / name).write_bytes(data)
    for name, data in files.items():
        assert (EXAMPLES / name).read_bytes() == data, name
    document = json.loads(files["proof-of-reserves.proof.json"])
    assert parse_proof_request_json(json.dumps({
        "type": document["type"], "message": document["message"],
        "bitcoin": {"addresses": [e["address"] for e in document["bitcoin"]]},
        "ethereum": {"safe": SAFE, "chainId": CHAIN_ID}}), "x").message == MESSAGE
    code, report = verify(EXAMPLES / "proof-of-reserves.proof.json", capsys)
    assert code == 0 and report["ok"] is True, report
    for part, key in (("bitcoin", "bip322_full"), ("ethereum", "signatures")):
        changed = json.loads(files["proof-of-reserves.proof.json"])
        target = changed["bitcoin"][1] if part == "bitcoin" else changed["ethereum"]
        value = target[key]
        target[key] = value[:-8] + ("0" if value[-8] != "0" else "1") + value[-7:]
        path = tmp_path / f"{part}.proof.json"
        path.write_text(json.dumps(changed))
        code, report = verify(path, capsys)
        assert code == 3 and report["ok"] is False, report
