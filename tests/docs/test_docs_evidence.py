"""Every test a document cites as evidence (`tests/...py::test_name`) exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs.docs_blocks import DOCS, REPO

CITED = re.compile(r"(tests/[\w/]+\.py)::(test_\w+)")


def citations(page: Path) -> list[tuple[str, str]]:
    return sorted(set(CITED.findall(page.read_text())))


def test_the_threat_model_cites_tests_for_every_threat() -> None:
    text = (DOCS / "threat-model.md").read_text()
    sections = re.split(r"^## ", text, flags=re.M)
    threats = [s for s in sections if re.match(r"T\d", s)]
    assert len(threats) == 7
    for section in threats:
        assert len(CITED.findall(section)) >= 5, section.splitlines()[0]


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_cited_tests_exist(page: Path) -> None:
    missing = []
    for path, name in citations(page):
        source = REPO / path
        defined = source.is_file() and re.search(
            rf"^(async )?def {name}\(", source.read_text(), re.M)
        if not defined:
            missing.append(f"{path}::{name}")
    assert not missing, f"{page.name} cites tests that do not exist: {missing}"
