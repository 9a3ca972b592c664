"""Fenced blocks the documentation marks as runnable or as examples.

Conventions (docs/formats.md "How the documentation is tested"):
- `<!-- runnable: NAME -->` right before a ```sh block: every line is run by bash in
  order; a trailing `# exit N` is the exit code the line must give (default 0).
- `<!-- example: KIND -->` right before a ```toml or ```json block: the block is a
  complete document of that kind and is validated by the real parser.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"

_MARKED = re.compile(
    r"<!--\s*(runnable|example):\s*([a-z0-9-]+)\s*-->\s*\n```([a-z]+)\n(.*?)\n```", re.S
)
_EXPECT = re.compile(r"^(?P<command>.*?)\s+#\s*exit\s+(?P<code>\d+)\b.*$")


@dataclass(frozen=True)
class Block:
    mark: str  # runnable | example
    name: str
    language: str
    text: str
    source: str  # file:line, for failure messages


@dataclass(frozen=True)
class Step:
    command: str
    exit: int


def marked_blocks(path: Path) -> list[Block]:
    text = path.read_text()
    return [
        Block(m.group(1), m.group(2), m.group(3), m.group(4),
              f"{path.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}")
        for m in _MARKED.finditer(text)
    ]


def steps(block: Block) -> list[Step]:
    """The commands of a runnable block with their documented exit codes."""
    found = []
    for raw in block.text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _EXPECT.match(line)
        if match:
            found.append(Step(match["command"], int(match["code"])))
        else:
            found.append(Step(line, 0))
    return found


def bash_script(block: Block) -> str:
    """One bash script that stops at the first step whose exit code is not the documented one."""
    lines = ["set -u"]
    for step in steps(block):
        where = shlex.quote(f"{block.source}: {step.command}")
        lines += [step.command,
                  f'rc=$?; if [ "$rc" -ne {step.exit} ]; then '
                  f'echo "FAILED with exit $rc (documented {step.exit}): "{where} >&2; exit 99; fi']
    return "\n".join(lines) + "\n"
