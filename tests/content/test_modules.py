"""The shipped learning content: clean, mapped to the framework, kind, and written not copied."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.content.originality import SEEDS, seed_shingles, shared_runs
from tilearn.config import PROJECT_ROOT
from tilearn.engine import load_library
from tilearn.engine.levels import load_scheme

MODULES = PROJECT_ROOT / "modules"
CONTENT_MAP = PROJECT_ROOT / "docs" / "content-map.md"
MODULE_FILES = sorted(MODULES.rglob("*.md"))


@pytest.fixture(scope="module")
def library():
    return load_library([MODULES], load_scheme(), display_root=PROJECT_ROOT)


def test_every_shipped_module_is_clean(library):
    assert [str(p) for p in library.problems] == []
    assert len(library.modules) == len([p for p in MODULES.iterdir() if p.is_dir()])


def test_every_level_has_modules_questions_and_reflections(library):
    for level, modules in library.by_level():
        assert modules, f"no modules for {level.name}"
        questions = sum(len(m.questions) for m in modules)
        assert questions >= 8, f"{level.name} has {questions} questions"
        for module in modules:
            reflections = sum(len(s.reflections) for s in module.sections)
            assert reflections >= 2, f"{module.id} has {reflections} reflections"
            assert module.minutes <= 30, f"{module.id} takes {module.minutes} minutes"
            assert module.framework, module.id


def test_every_theme_is_covered_at_every_level_but_specialist(library):
    themes = {t.key for t in library.scheme.themes}
    for level, modules in library.by_level():
        if level.key == "specialist":
            continue
        covered = {o.theme for m in modules for o in m.outcomes}
        assert covered == themes, f"{level.name} misses {themes - covered}"


def test_content_map_points_at_real_sections(library):
    rows = [line for line in CONTENT_MAP.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    rows = [r for r in rows if not r.startswith("| theme |")]
    assert len(rows) > 300
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        theme, kind, outcome, module_id, section_id = cells
        assert library.scheme.theme(theme), row
        assert kind in ("knowledge", "skills"), row
        if module_id == "—":
            continue
        module = library.get(module_id)
        assert module is not None, f"unknown module in: {row}"
        assert module.section(section_id) is not None, f"unknown section in: {row}"


def test_no_pressure_or_fail_wording_in_any_module():
    pattern = re.compile(r"\b(fail\w*|wrong\w*|incorrect\w*|hurry|deadline|time limit|countdown)\b", re.I)
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {m.group(0)}"
        for path in MODULE_FILES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for m in pattern.finditer(line)
    ]
    assert found == []


def test_no_twelve_word_run_is_copied_from_the_frameworks():
    if not SEEDS.is_dir():
        skip_or_fail("../shared/seeds is not beside this checkout")
    source = seed_shingles()
    assert source, "no seed text was read"
    copied = {
        str(p.relative_to(PROJECT_ROOT)): shared_runs(p.read_text(encoding="utf-8"), source)
        for p in [*MODULE_FILES, CONTENT_MAP]
    }
    assert {path: runs for path, runs in copied.items() if runs} == {}


def test_the_originality_check_would_catch_a_copied_sentence():
    if not SEEDS.is_dir():
        skip_or_fail("../shared/seeds is not beside this checkout")
    source = seed_shingles()
    seed_text = next(Path(SEEDS).glob("001_*.txt")).read_text(encoding="utf-8")
    sentence = " ".join(re.findall(r"\S+", seed_text)[2000:2020])
    assert shared_runs(f"Intro words. {sentence.upper()}!", source)
