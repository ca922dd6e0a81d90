"""docs/security.md: every requirement names tests, and every test it names exists."""

from __future__ import annotations

import re

from tests.conftest import skip_or_fail
from tilearn.config import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "security.md"
QUALITY = PROJECT_ROOT.parent / "shared" / "design" / "quality.md"
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
ASVS_ID = re.compile(r"\b(\d{1,2}\.\d{1,2}\.(?:\d{1,2}|x))\b")


def _rows() -> list[list[str]]:
    """The cells of every body row of the requirements table."""
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and not line.startswith("|---") and not line.startswith("| requirement"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_every_row_names_a_test_and_its_databases():
    rows = _rows()
    assert len(rows) >= 30
    for cells in rows:
        assert len(cells) == 4, cells
        requirement, _asvs, tests, databases = cells
        assert TEST_REF.search(tests), f"no test named for: {requirement}"
        assert databases in {"SQLite, PostgreSQL", "no database"}, (requirement, databases)


def test_every_named_test_exists():
    missing = []
    for path, name in TEST_REF.findall(DOC.read_text(encoding="utf-8")):
        source = PROJECT_ROOT / path
        if not source.is_file() or not re.search(rf"^(?:async )?def {name}\(", source.read_text(), re.M):
            missing.append(f"{path}::{name}")
    assert missing == []


def test_every_asvs_id_quality_md_cites_has_a_row():
    if not QUALITY.is_file():
        skip_or_fail("../shared/design/quality.md is not beside this checkout")
    cited = set(re.findall(r"\((\d{1,2}\.\d{1,2}\.(?:\d{1,2}|x))\)", QUALITY.read_text(encoding="utf-8")))
    listed = {found for cells in _rows() for found in ASVS_ID.findall(cells[1])}
    missing = {
        asvs
        for asvs in cited
        if not any(given == asvs or (asvs.endswith(".x") and given.startswith(asvs[:-1])) for given in listed)
    }
    assert cited and missing == set()
