"""`airsign envelope seal`: its output opens on the appliance and verifies with libsodium."""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import nacl.signing
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from intake_samples import VAULT, VAULT_KEYS, draft_bytes, psbt, run

from signer.chains import kinds
from signer.cli import envelope_cmds
from signer.cli.context import Context, Parser, Result
from signer.errors import BadInput
from signer.transport.envelope import open_envelope

KINDS = kinds.every()  # the draft formats intake knows


def seal_cli(*argv: str) -> tuple[Result, Context]:
    """Parse and run the command as main.py would once the module is registered."""
    common = Parser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    parser = Parser(prog="airsign", parents=[common])
    envelope_cmds.register(parser.add_subparsers(dest="command", parser_class=Parser), common)
    args = parser.parse_args(["envelope", "seal", *argv])
    context = Context(args)
    return args.func(context), context


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "vault.pem"
    path.write_bytes(VAULT.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return path


def test_sealed_draft_is_printed_and_opens(tmp_path: Path, key_file: Path) -> None:
    draft = tmp_path / "WD-000123.json"
    draft.write_bytes(draft_bytes())
    result, context = seal_cli("--key", str(key_file), "--id", "vault-2026", str(draft))
    assert context._app is None  # no home was opened
    envelope = json.loads(result.text)
    assert result.doc["envelope"] == envelope and result.doc["draft_id"] == "WD-000123"
    body = base64.b64decode(envelope["body"])
    assert body == draft.read_bytes()
    nacl.signing.VerifyKey(VAULT_KEYS["vault-2026"]).verify(
        body, base64.b64decode(envelope["signature"]))
    assert open_envelope(result.text.encode(), "out", VAULT_KEYS, KINDS).draft["id"] == "WD-000123"


def test_sealed_file_is_written_once_and_imported(tmp_path: Path, key_file: Path) -> None:
    draft = tmp_path / "d.json"
    draft.write_bytes(draft_bytes("ethereum"))
    out = tmp_path / "out" / "env.psbt"  # any name: intake goes by content
    out.parent.mkdir()
    result, _ = seal_cli("--key", str(key_file), "--id", "vault-2026", "--out", str(out),
                         str(draft))
    assert result.doc["file"] == str(out)
    imported = run(out.parent)
    assert [d.chain for d in imported.drafts] == ["ethereum"] and imported.refused == []
    with pytest.raises(BadInput) as caught:
        seal_cli("--key", str(key_file), "--out", str(out), str(draft))
    assert caught.value.code == "output_exists"


def test_default_key_id_is_vault(tmp_path: Path, key_file: Path) -> None:
    draft = tmp_path / "d.json"
    draft.write_bytes(draft_bytes())
    result, _ = seal_cli("--key", str(key_file), str(draft))
    assert json.loads(result.text)["key_id"] == "vault"


@pytest.mark.parametrize(("content", "code"), [
    (draft_bytes(amount="1"), "bad_draft"),
    (b"not json", "bad_draft"),
    (draft_bytes(payload={"psbt": base64.b64encode(b"psbt\xff\x00").decode()}), "psbt_malformed"),
    (draft_bytes("ethereum", payload={"safe_tx": {"safe": "0x12"}}), "missing_field"),
    (psbt(), "bad_draft"),
])  # fmt: skip
def test_invalid_drafts_are_not_sealed(tmp_path: Path, key_file: Path, content: bytes,
                                       code: str) -> None:
    draft = tmp_path / "d.json"
    draft.write_bytes(content)
    with pytest.raises(BadInput) as caught:
        seal_cli("--key", str(key_file), str(draft))
    assert caught.value.code == code and "d.json" in caught.value.message


def test_missing_draft_and_bad_key_are_bad_input(tmp_path: Path, key_file: Path) -> None:
    with pytest.raises(BadInput, match="cannot read"):
        seal_cli("--key", str(key_file), str(tmp_path / "none.json"))
    draft = tmp_path / "d.json"
    draft.write_bytes(draft_bytes())
    with pytest.raises(BadInput) as caught:
        seal_cli("--key", str(draft), str(draft))
    assert caught.value.code == "bad_signing_key"
    with pytest.raises(BadInput) as caught:
        seal_cli("--key", str(key_file), "--id", "no spaces", str(draft))
    assert caught.value.code == "bad_key_id"
