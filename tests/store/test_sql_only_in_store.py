"""SQL lives only in signer/store (issue 16): every other layer asks the store's modules,
named from the operator's world, and never writes a statement of its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import signer

SIGNER = Path(signer.__file__).parent
STORE = SIGNER / "store"

_CALLS = {"execute", "executemany", "executescript"}
# Statements as this code base writes them (upper-case keywords); prose says "select".
_SQL = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b|\b(CREATE|DROP|ALTER)\s+(TABLE|INDEX|VIEW|TRIGGER)\b|\bPRAGMA\s+\w+"
)


def sql_in(source: str) -> list[tuple[int, str]]:
    """(line, what) of each database call and each SQL statement in a string literal."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in _CALLS:
            found.append((node.lineno, f".{node.func.attr}("))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and _SQL.search(node.value):
            found.append((node.lineno, f"SQL text {node.value[:50]!r}"))
    return found


def test_no_sql_outside_signer_store() -> None:
    offenders = [
        f"{path.relative_to(SIGNER.parent)}:{line}: {what}"
        for path in sorted(SIGNER.rglob("*.py")) if STORE not in path.parents
        for line, what in sql_in(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "SQL outside signer/store:\n" + "\n".join(offenders)


def test_the_check_sees_calls_and_statements() -> None:
    planted = (
        'def f(conn):\n'
        '    conn.execute("SELECT 1")\n'
        '    conn.executemany(q, rows)\n'
        '    q = f"UPDATE drafts SET {column} = 1 WHERE id = ?"\n'
        '    return "INSERT OR IGNORE INTO risk_imported VALUES (?, ?)"\n'
        '"""Select the drafts from the list, then update the view."""\n'
    )
    assert sorted(line for line, _ in sql_in(planted)) == [2, 3, 4, 5]


def test_the_store_itself_is_seen() -> None:
    # The check reads the real modules: the store's own SQL is found where it is allowed.
    assert sql_in((STORE / "drafts.py").read_text(encoding="utf-8"))
