"""docs/dependencies.md "One library per protocol" holds in the code (issue 16 item 4).

Each protocol the appliance speaks through a library is spoken only through it: a
module that starts re-implementing one (an HMAC-SHA512 child derivation, a second
canonical JSON encoder, a hand-built EIP-712 domain) fails here, and the document must
then say why no library fits.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.docs.docs_blocks import DOCS, REPO

PACKAGES = ("signer", "ceremony")


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (REPO / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _calls_with_keyword(path: Path, keyword: str) -> list[int]:
    tree = ast.parse(path.read_text())
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and any(k.arg == keyword for k in node.keywords)]


def test_canonical_json_is_encoded_in_one_place() -> None:
    # Compact separators are what make JSON canonical; display code may sort keys.
    writers = {str(p.relative_to(REPO)) for p in _modules() if _calls_with_keyword(p, "separators")}
    assert writers == {"signer/canonical.py"}


def test_no_module_derives_bip32_children_or_imports_bip_utils() -> None:
    offenders = [str(p.relative_to(REPO)) for p in _modules()
                 if _imports(p) & {"hmac", "bip_utils"}
                 or any(name.startswith("bip_utils.") for name in _imports(p))]
    assert offenders == []


def test_eip712_and_cbor_go_through_their_libraries() -> None:
    safe_hash = REPO / "signer/chains/ethereum/safe_hash.py"
    assert "eth_account.messages" in _imports(safe_hash)
    assert "EIP712Domain(" not in safe_hash.read_text()
    assert "cbor2" in _imports(REPO / "signer/transport/ur/cbor.py")


def test_the_document_names_each_hand_written_protocol_module() -> None:
    text = (DOCS / "dependencies.md").read_text()
    for module in ("signer/transport/ur/fountain.py", "signer/chains/bitcoin/psbt_file.py",
                   "signer/hsm/function_list.py", "signer/chains/bitcoin/sighash.py"):
        assert (REPO / module).is_file() and module in text, module


def _function(path: Path, name: str) -> ast.FunctionDef:
    found = [node for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.FunctionDef) and node.name == name]
    assert len(found) == 1, (path, name)
    return found[0]


def test_psbts_and_transactions_are_written_by_embit() -> None:
    """The writers are embit's serialize(), one call each; no module has a function of
    its own that encodes a compact size (the heart of any hand-written Bitcoin
    serialisation; the strict reader's Cursor.compact_size decodes one)."""
    bitcoin = REPO / "signer/chains/bitcoin"
    for path, name in ((bitcoin / "psbt_file.py", "psbt_bytes"),
                       (bitcoin / "wire.py", "transaction_bytes")):
        body = [node for node in _function(path, name).body
                if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
        assert len(body) == 1 and ".serialize()" in ast.unparse(body[0]), name
    encoders = [str(p.relative_to(REPO)) for p in _modules() for node in ast.parse(
        p.read_text()).body if isinstance(node, ast.FunctionDef)
        and node.name in {"compact_size", "write_compact_size", "ser_compact_size"}]
    assert encoders == []
