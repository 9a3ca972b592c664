"""Every file in docs/examples/ and every marked example block is read by the real parsers
and cross-checked with independent tools, so the format documentation cannot drift."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from embit.descriptor import Descriptor
from embit.networks import NETWORKS
from embit.psbt import PSBT as EmbitPSBT
from eth_keys import keys

from ceremony.cards import read_card
from ceremony.config import load_ceremony, parse_ceremony
from ceremony.share_entry import check_share
from ceremony.transcript import verify_transcript
from signer.chains import kinds
from signer.chains.bitcoin.psbt_file import read_psbt
from signer.chains.ethereum.safe_hash import safe_tx_hash
from signer.chains.ethereum.safe_tx import parse_safe_tx, parse_safe_tx_json
from signer.risk import load_policy
from signer.store.home import load_config
from signer.transport.envelope import load_signing_key, open_envelope, parse_plain_draft
from signer.transport.qr import read_qr_file
from signer.transport.ur.codec import decode_parts
from signer.usecases.governance import load_vault_key
from tests.docs.docs_blocks import DOCS, REPO, marked_blocks
from tests.pipeline.conftest import verify_final

KINDS = kinds.every()  # the draft formats intake knows

EXAMPLES = DOCS / "examples"
EXPORT = EXAMPLES / "export"
WALLET = EXAMPLES / "wallet"
RFC8032_TEST1_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _output(name: str) -> Any:
    return _json(EXAMPLES / "json" / f"{name}.json")["output"]


def _vault_keys() -> dict[str, bytes]:
    return {"vault-2026": load_vault_key(EXAMPLES / "vault-key.pub.pem")}


def test_ceremony_file_loads() -> None:
    plan = load_ceremony(EXAMPLES / "ceremony.toml")
    assert [h.id for h in plan.holder] == ["A", "B", "C"]
    digest = hashlib.sha256((EXAMPLES / "ceremony.toml").read_bytes()).hexdigest()
    assert _json(WALLET / "cold-2026-transcript.json")["body"]["wallet"]["config_sha256"] == digest


def test_policy_and_lists_load(tmp_path: Path) -> None:
    policy = load_policy(EXAMPLES / "policy.toml")
    assert set(policy.document.assets) == {"BTC", "ETH", "USDT"}
    assert policy.allowlist is not None and len(policy.allowlist) == 4
    assert len(policy.denylist) == 3
    assert _output("policy-check")["hash"] == policy.hash == _output("policy-apply")["hash"]


def test_appliance_toml_loads(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "appliance.toml", tmp_path / "appliance.toml")
    config = load_config(tmp_path)
    assert config.holders == {"A": "holder-a", "B": "holder-b", "C": "holder-c"}
    documented = set(re.findall(r"^\| `(\w+)` \|", (DOCS / "formats.md").read_text(), re.M))
    assert set(asdict(config.settings)) <= documented


def test_vault_key_pair_is_the_rfc8032_test_key() -> None:
    private = load_signing_key(EXAMPLES / "vault-key.pem")
    public = load_vault_key(EXAMPLES / "vault-key.pub.pem")
    assert public.hex() == RFC8032_TEST1_PUBLIC
    assert private.public_key().public_bytes_raw() == public


@pytest.mark.parametrize("chain", ["bitcoin", "ethereum"])
def test_draft_and_envelope(chain: str) -> None:
    body = (EXAMPLES / "drafts" / f"draft-{chain}.json").read_bytes()
    draft = parse_plain_draft(body, "example draft", KINDS)
    assert draft["format"] == "airsign-draft/1" and draft["chain"] == chain
    if chain == "bitcoin":
        read_psbt(base64.b64decode(draft["payload"]["psbt"]), "example psbt")
    else:
        parse_safe_tx(draft["payload"]["safe_tx"], "example safe_tx")
    raw = (EXAMPLES / "drafts" / f"envelope-{chain}.json").read_bytes()
    envelope = open_envelope(raw, "example envelope", _vault_keys(), KINDS)
    assert envelope.draft == draft
    outer = json.loads(raw)
    assert base64.b64decode(outer["body"]) == body
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(RFC8032_TEST1_PUBLIC)).verify(
        base64.b64decode(outer["signature"]), body)
    seal_doc = _output(f"envelope-seal-draft-{chain}")
    assert seal_doc["body_sha256"] == hashlib.sha256(body).hexdigest() == envelope.body_sha256


def test_bare_safe_tx() -> None:
    tx = parse_safe_tx_json((EXAMPLES / "safe-tx.json").read_bytes(), "safe-tx.json")
    assert tx.operation == 0 and tx.value == 2 * 10**18


def test_manifest_names_every_export_file_with_its_sha256() -> None:
    lines = (EXPORT / "MANIFEST.sha256").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ")
        listed[name] = digest
    assert set(listed) == {p.name for p in EXPORT.iterdir()} - {"MANIFEST.sha256"}
    for name, digest in listed.items():
        assert hashlib.sha256((EXPORT / name).read_bytes()).hexdigest() == digest
    assert sorted(Path(f).name for f in _output("export")["files"]) == sorted(
        [*listed, "MANIFEST.sha256"])


def _draft_ids() -> tuple[str, str]:
    drafts = _output("import")["drafts"]
    return drafts[0]["id"], drafts[1]["id"]


def test_bitcoin_exports_verify_with_an_independent_interpreter() -> None:
    btc, _ = _draft_ids()
    psbt_bytes = (EXPORT / f"{btc}.psbt").read_bytes()
    assert base64.b64decode((EXPORT / f"{btc}.psbt.txt").read_text()) == psbt_bytes
    assert all(len(inp.partial_sigs) == 2 for inp in read_psbt(psbt_bytes, "exported").inputs)
    verify_final((EXPORT / f"{btc}.tx.hex").read_text().strip(), EXPORT / f"{btc}.psbt")


def test_safe_signatures_recover_to_the_registered_owners() -> None:
    _, usdt = _draft_ids()
    doc = _json(EXPORT / f"{usdt}.safe-signatures.json")
    draft = _json(EXAMPLES / "drafts" / "draft-ethereum.json")
    tx = parse_safe_tx(draft["payload"]["safe_tx"], "draft")
    digest = safe_tx_hash(tx)
    assert doc["safeTxHash"] == "0x" + digest.hex()
    owners = _json(WALLET / "cold-2026-safe-owners.json")["owners"]
    recovered = []
    for entry in doc["signatures"]:
        signature = bytes.fromhex(entry["signature"].removeprefix("0x"))
        vrs = signature[:64] + bytes([signature[64] - 27])
        owner = keys.Signature(vrs).recover_public_key_from_msg_hash(digest).to_checksum_address()
        assert owner == entry["owner"]
        recovered.append(owner)
    assert set(recovered) <= set(owners) and len(set(recovered)) == 2
    packed = b"".join(bytes.fromhex(e["signature"].removeprefix("0x")) for e in sorted(
        doc["signatures"], key=lambda e: int(e["owner"], 16)))
    assert doc["packed"] == "0x" + packed.hex()


def test_ur_parts_and_qr_frames_carry_the_exported_payloads() -> None:
    btc, usdt = _draft_ids()
    expected = {btc: (EXPORT / f"{btc}.psbt").read_bytes(),
                usdt: (EXPORT / f"{usdt}.safe-signatures.json").read_bytes()}
    for draft, payload in expected.items():
        parts = (EXPORT / f"{draft}.ur.txt").read_text().split()
        assert decode_parts(parts).payload() == payload
        frames = sorted(EXPORT.glob(f"{draft}-*.png"))
        assert len(frames) == len(parts)
        for frame, part in zip(frames, parts, strict=True):
            assert read_qr_file(frame)[0][0].decode().lower() == part.lower()


def test_wallet_exports_agree_with_embit_and_each_other() -> None:
    show = _output("wallet-show")
    lines = (WALLET / "cold-2026.descriptor.txt").read_text().splitlines()
    assert lines[0] == show["descriptor"]
    receive = Descriptor.from_string(lines[1])
    address = receive.derive(0).address(NETWORKS["regtest"])
    assert address == show["first_address"] == _output("ceremony-run")["first_address"]
    assert address == _output("addresses")["bitcoin"]["receive"][0]
    bsms = (WALLET / "cold-2026.bsms").read_text().splitlines()
    assert bsms[0] == "BSMS 1.0" and bsms[2] == "/0/*,/1/*" and bsms[3] == address
    Descriptor.from_string(bsms[1].replace("/**", "/0/*"))
    coldcard = (WALLET / "cold-2026-coldcard.txt").read_text()
    for holder in show["holders"]:
        assert f"{holder['fingerprint'].upper()}: {holder['xpub']}" in coldcard
    caravan = _json(WALLET / "cold-2026-caravan.json")
    assert [k["xpub"] for k in caravan["extendedPublicKeys"]] == [
        h["xpub"] for h in show["holders"]]
    owners = _json(WALLET / "cold-2026-safe-owners.json")
    assert owners["owners"] == [h["owner"] for h in show["holders"]]
    assert owners["threshold"] == 2 and owners["chainId"] == 1


def test_transcript_is_signed_by_all_three_holders_and_names_the_exports() -> None:
    transcript = _json(WALLET / "cold-2026-transcript.json")
    assert verify_transcript(transcript) == ["A", "B", "C"]
    for name, digest in transcript["body"]["exports"].items():
        assert hashlib.sha256((WALLET / name).read_bytes()).hexdigest() == digest


def test_share_card_reads_as_a_valid_slip39_share() -> None:
    words = read_card((EXAMPLES / "share-card-A-g1-1.txt").read_text()).split()
    status = check_share(words)
    assert status.valid and status.complete and len(words) == 33


def test_audit_export_chain_and_signature_recompute_independently() -> None:
    lines = (EXAMPLES / "audit" / "journal.jsonl").read_bytes()
    previous = "00" * 32
    entries = [json.loads(line) for line in lines.splitlines()]
    for seq, entry in enumerate(entries, 1):
        assert entry["seq"] == seq and entry["prev_hash"] == previous
        body = {k: entry[k] for k in ("seq", "time", "kind", "actor", "data")}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False).encode()
        previous = hashlib.sha256(bytes.fromhex(previous) + canonical).hexdigest()
        assert entry["hash"] == previous
    sig = _json(EXAMPLES / "audit" / "journal.jsonl.sig")
    assert sig["sha256"] == hashlib.sha256(lines).hexdigest() and sig["entries"] == len(entries)
    message = json.dumps({"purpose": sig["purpose"], "sha256": sig["sha256"]}, sort_keys=True,
                         separators=(",", ":")).encode()
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(sig["public_key"])).verify(
        bytes.fromhex(sig["signature"]), message)


# FORMATS.md "Machine-readable output": the keys each document must carry.
CONTRACT: dict[str, dict[str, Any]] = {
    "import": {"drafts": ["id", "chain", "asset", "amount", "destination", "verdict", "reasons"],
               "refused": []},
    "import-rejected": {"drafts": ["id", "verdict", "reasons"], "refused": []},
    "drafts": {"drafts": ["id", "chain", "state", "verdict", "signatures"]},
    "show-bitcoin": {"verdict": None, "reasons": None},
    "show-ethereum": {"verdict": None, "reasons": None},
    "sign-a": {"signed": ["id", "holder", "complete"], "refused": []},
    "sign-refused": {"signed": [], "refused": ["id", "code", "message"]},
    "export": {"files": []},
    "addresses": {"bitcoin": ["network", "receive", "change"], "ethereum": ["owners", "safe"]},
    "wallet-show": {"name": None, "threshold": None, "descriptor": None,
                    "holders": ["id", "name", "token", "fingerprint", "xpub", "path", "owner"]},
    "audit-verify": {"ok": None, "entries": None, "first_bad_seq": None, "checkpoints": None},
    "error": {"error": ["code", "message"]},
}


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_json_documents_carry_the_contract_keys(name: str) -> None:
    doc = _output(name)
    for key, inner in CONTRACT[name].items():
        assert key in doc, f"{name}: {key}"
        items = doc[key] if isinstance(doc[key], list) else [doc[key]]
        for item in items:
            for field in inner or []:
                assert field in item, f"{name}: {key}.{field}"


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_every_field_of_every_json_document_is_documented() -> None:
    formats = (DOCS / "formats.md").read_text()
    missing = set()
    for path in sorted((EXAMPLES / "json").glob("*.json")):
        doc = _json(path)
        for key in _keys(doc["output"]):
            if f"`{key}`" not in formats and not re.fullmatch(r"[A-Z][A-Z0-9]{0,11}|.*/.*", key):
                missing.add(f"{path.name}: {key}")
    assert not missing, sorted(missing)


def test_json_documents_record_their_command_and_exit() -> None:
    for path in (EXAMPLES / "json").glob("*.json"):
        doc = _json(path)
        output = doc["output"]
        assert doc["command"].startswith("airsign --json ")
        verb = doc["command"].split()[2]
        rejected = verb in ("import", "sign", "export") and (bool(output.get("refused")) or any(
            d["verdict"] == "reject" for d in output.get("drafts", [])))
        expected = 2 if "error" in output else 3 if rejected else 0
        assert doc["exit"] == expected, path.name


def test_every_example_file_is_named_in_formats_md() -> None:
    formats = (DOCS / "formats.md").read_text()
    for path in EXAMPLES.rglob("*"):
        if path.is_file() and path.parent.name not in ("json", "export"):
            assert f"examples/{path.relative_to(EXAMPLES)}" in formats, path


# --- fenced blocks marked `<!-- example: KIND -->` in docs/*.md -------------------------


def _check_block(kind: str, text: str, tmp: Path) -> None:
    if kind == "ceremony":
        parse_ceremony(text, "doc block")
    elif kind == "policy":
        for name in ("allowlist.txt", "denylist.txt"):
            shutil.copy(EXAMPLES / name, tmp / name)
        (tmp / "policy.toml").write_text(text)
        load_policy(tmp / "policy.toml")
    elif kind == "appliance":
        (tmp / "appliance.toml").write_text(text)
        load_config(tmp)
    elif kind == "draft":
        parse_plain_draft(text.encode(), "doc block", KINDS)
    elif kind == "envelope":
        open_envelope(text.encode(), "doc block", _vault_keys(), KINDS)
    elif kind == "safe-tx":
        parse_safe_tx_json(text.encode(), "doc block")
    elif kind == "safe-signatures":
        doc = json.loads(text)
        assert set(doc) == {"safeTxHash", "signatures", "packed"}
        assert all(set(s) == {"owner", "signature"} for s in doc["signatures"])
    elif kind == "seal-python":
        _check_python_seal(text)
    else:
        pytest.fail(f"unknown example kind {kind}")


def _check_python_seal(source: str) -> None:
    """The integration guide's sealing code, run on the example draft, opens on the appliance."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "integration.md seal-python", "exec"), namespace)
    body = (EXAMPLES / "drafts" / "draft-bitcoin.json").read_bytes()
    sealed = namespace["seal"](body, (EXAMPLES / "vault-key.pem").read_bytes(), "vault-2026")
    envelope = open_envelope(sealed, "sealed by the guide's code", _vault_keys(), KINDS)
    assert envelope.body_sha256 == hashlib.sha256(body).hexdigest()


def _example_blocks() -> list[Any]:
    found = []
    for path in sorted([*DOCS.glob("*.md"), REPO / "README.md"]):
        found += [pytest.param(b, id=f"{b.source}:{b.name}")
                  for b in marked_blocks(path) if b.mark == "example"]
    return found


@pytest.mark.parametrize("block", _example_blocks())
def test_marked_example_blocks_parse(block: Any, tmp_path: Path) -> None:
    _check_block(block.name, block.text, tmp_path)


def test_there_are_marked_example_blocks_of_every_input_kind() -> None:
    kinds = {b.values[0].name for b in _example_blocks()}
    assert {"ceremony", "policy", "appliance", "draft", "envelope", "safe-tx",
            "safe-signatures", "seal-python"} <= kinds


def test_draft_ids_follow_the_documented_rule() -> None:
    """integration.md: sha256("airsign-draft/<chain>:" + unsigned tx | safeTxHash)[:16]."""
    btc, usdt = _draft_ids()
    draft = _json(EXAMPLES / "drafts" / "draft-bitcoin.json")
    unsigned = EmbitPSBT.parse(base64.b64decode(draft["payload"]["psbt"])).tx.serialize()
    assert hashlib.sha256(b"airsign-draft/bitcoin:" + unsigned).hexdigest()[:16] == btc
    safe_hash = bytes.fromhex(_output("show-ethereum")["safeTxHash"][2:])
    assert hashlib.sha256(b"airsign-draft/ethereum:" + safe_hash).hexdigest()[:16] == usdt


def test_show_gives_the_unsigned_txid_a_node_would_report() -> None:
    """`show`'s `unsigned_txid` is the txid of the PSBT's unsigned transaction (embit's)."""
    draft = _json(EXAMPLES / "drafts" / "draft-bitcoin.json")
    tx = EmbitPSBT.parse(base64.b64decode(draft["payload"]["psbt"])).tx
    assert _output("show-bitcoin")["unsigned_txid"] == tx.txid().hex()
    assert _output("show-bitcoin")["lookalikes"] == _output("show-ethereum")["lookalikes"] == []
