"""Outside signer/chains, no code branches on which kind of draft it handles (issue 16).

Every chain-specific decision is a method of the draft's kind (signer/chains/kind.py),
found through the registry (signer/chains/kinds.py). This reads the code, not the docs:
a chain's name as a string literal, or a comparison with a draft's ``chain``, anywhere
above the chains is a branch that a new kind of draft would have to edit.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHAIN_NAMES = {"bitcoin", "ethereum"}


def _above_the_chains() -> list[Path]:
    files = [*ROOT.glob("signer/**/*.py"), *ROOT.glob("ceremony/**/*.py")]
    return sorted(p for p in files if "signer/chains/" not in p.as_posix())


def _is_chain(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "chain") or (
        isinstance(node, ast.Name) and node.id == "chain")


def _compares_chain_with_a_name(node: ast.Compare) -> bool:
    """``row.chain == "x"`` or ``chain in ("x", "y")``; two chains compared (an asset's
    with a draft's) is no branch on a name."""
    sides = (node.left, *node.comparators)
    return any(_is_chain(side) for side in sides) and any(
        isinstance(side, (ast.Constant, ast.Tuple, ast.List, ast.Set)) for side in sides)


def _branches(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        where = f"{shown}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and node.value in CHAIN_NAMES:
            found.append(f"{where}: the literal {node.value!r}")
        elif isinstance(node, ast.Compare) and _compares_chain_with_a_name(node):
            found.append(f"{where}: a comparison of a draft's chain with a name")
        elif isinstance(node, ast.Match) and _is_chain(node.subject):
            found.append(f"{where}: a match on a draft's chain")
    return found


def test_no_code_above_the_chains_branches_on_a_chain_name() -> None:
    found = [branch for path in _above_the_chains() for branch in _branches(path)]
    assert found == []


def test_the_check_finds_a_branch_when_there_is_one(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def f(row):\n    if row.chain == "ethereum":\n        return 1\n'
                      '    return {"bitcoin": 2}\n')
    found = [line.split(": ", 1)[1] for line in _branches(sample)]
    assert found == ["a comparison of a draft's chain with a name", "the literal 'ethereum'",
                     "the literal 'bitcoin'"]
