"""Every error, refusal and reason code in the code base is listed in docs/codes.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from signer.errors import Exit
from signer.risk import codes as risk_codes
from tests.docs.docs_blocks import DOCS, REPO

# Calls whose string arguments are codes: error types, findings, refusals, parser helpers.
CODE_CALLS = {"BadInput", "Rejected", "HsmError", "LockedOut", "Delayed", "AirsignError",
              "Finding", "WordProblem", "RefusedInput", "bad_input", "strict_json",
              "strict_b64", "check_draft", "_exact_keys", "_refuse"}
SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+|conflict|rejected|usage|symlink|unreadable|"
                   r"interrupted|burst|delegatecall")
# Finding tuples `("code", "message")` built where the chain modules' findings are extended.
TUPLE_FILES = ("signer/usecases/decoding.py", "signer/usecases/sign_drafts.py")


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _code_constants(tree: ast.AST, tuples: bool) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        # `CODE = "bad_policy"` constants and `code: str = "bad_input"` defaults are codes too.
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == [
                "CODE"] and isinstance(node.value, ast.Constant):
            found.add(str(node.value.value))
        if isinstance(node, ast.FunctionDef) and node.args.defaults:
            named = node.args.args[-len(node.args.defaults):]
            for arg, default in zip(named, node.args.defaults, strict=True):
                if arg.arg == "code" and isinstance(default, ast.Constant):
                    found.add(str(default.value))
        if isinstance(node, ast.Call) and _name(node) in CODE_CALLS:
            values = [*node.args, *(k.value for k in node.keywords if k.arg == "code")]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and (
                        SNAKE.fullmatch(value.value)):
                    found.add(value.value)
        if tuples and isinstance(node, ast.Tuple) and len(node.elts) == 2:
            first, second = node.elts
            if (isinstance(first, ast.Constant) and isinstance(first.value, str)
                    and SNAKE.fullmatch(first.value)
                    and isinstance(second, ast.Constant | ast.JoinedStr | ast.BinOp)):
                found.add(first.value)
    return found


def codes_in_the_code_base() -> set[str]:
    found = {v for k, v in vars(risk_codes).items() if k.isupper() and isinstance(v, str)}
    for root in ("signer", "ceremony"):
        for path in sorted((REPO / root).rglob("*.py")):
            if "tui" in path.parts:
                continue
            rel = str(path.relative_to(REPO))
            found |= _code_constants(ast.parse(path.read_text()), rel in TUPLE_FILES)
    return found


def _documented(page: Path) -> set[str]:
    return set(re.findall(r"`([a-z][a-z0-9_]*)`", page.read_text()))


def test_the_scan_finds_the_codes_it_should() -> None:
    found = codes_in_the_code_base()
    for code in ("delegatecall", "fraudulent_change", "hash_mismatch", "wrong_pin",
                 "holder_locked", "request_mismatch", "bad_envelope_signature",
                 "shares_do_not_restore", "window_exceeded", "bad_policy", "usage"):
        assert code in found, code
    assert len(found) > 150


def test_every_code_is_in_codes_md() -> None:
    missing = codes_in_the_code_base() - _documented(DOCS / "codes.md")
    assert not missing, f"add these to docs/codes.md: {sorted(missing)}"


def test_codes_md_rows_give_a_contract_exit_code() -> None:
    rows = [line for line in (DOCS / "codes.md").read_text().splitlines()
            if line.startswith("| `")]
    valid = {str(int(e)) for e in Exit}
    assert len(rows) > 100
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 3, row
        exits = re.findall(r"\d", cells[1])
        assert exits and set(exits) <= valid, row
