"""The shipped content: clean, mapped to the framework, kind, assessed fairly, and written not copied.

Levels are the West Midlands scheme's (module levels aware, informed, responsive, specialist).
A level's *first* modules are those with no prerequisite at their own level: a learner can start
the level at any of them, so each must carry the ``looking-after-you`` block.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, skip_or_fail
from tests.content.originality import SEEDS, seed_shingles, shared_runs
from tilearn.config import PROJECT_ROOT
from tilearn.engine import Module, load_library
from tilearn.engine.assessment import check_assessment, plain_text, right_is_longest, true_is_right
from tilearn.engine.level_names import TOKEN, hard_coded_level_names, shipped_level_names
from tilearn.engine.levels import load_scheme
from tilearn.engine.spec import ContentNote, Html, LookingAfterYou, PausePoint, Question, Reflection

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


def scored_sections(modules: list[Module]):
    """The sections whose questions count towards completion (required ones)."""
    return [s for m in modules for s in m.sections if s.required and s.questions]


def level_id(level) -> str:
    return f"Level {level.number} ({level.key})"


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_each_level_has_no_assessment_warnings(library, number):
    level, modules = library.by_level()[number - 1]
    warnings = []
    for module in modules:
        check_assessment(
            module.sections, lambda line, message, m=module: warnings.append(f"{m.path}:{line}: {message}")
        )
    assert warnings == [], level_id(level)


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_each_level_shows_at_least_12_scored_questions_from_banks_of_at_least_18(library, number):
    level, modules = library.by_level()[number - 1]
    sections = scored_sections(modules)
    shown = sum(s.shown_per_attempt for s in sections)
    in_banks = sum(len(s.questions) for s in sections)
    assert shown >= 12 and in_banks >= 18, f"{level_id(level)}: {shown} shown from {in_banks} in the banks"


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_each_levels_true_false_answers_are_40_to_60_percent_true(library, number):
    level, modules = library.by_level()[number - 1]
    answers = [true_is_right(q) for m in modules for q in m.questions if q.kind == "true-false"]
    if answers:
        share = sum(answers) / len(answers)
        assert 0.4 <= share <= 0.6, f"{level_id(level)}: {sum(answers)} of {len(answers)} true/false are True"


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_each_levels_right_option_is_the_longest_in_at_most_40_percent(library, number):
    level, modules = library.by_level()[number - 1]
    singles = [q for m in modules for q in m.questions if q.kind == "single-choice"]
    longest = [q.id for q in singles if right_is_longest(q)]
    assert len(longest) <= 0.4 * len(singles), (
        f"{level_id(level)}: {len(longest)} of {len(singles)}: {longest}"
    )


def test_content_map_rows_point_at_modules_of_their_own_level(library):
    level_of_heading = None
    for line in CONTENT_MAP.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## Level (\d)", line)
        if heading:
            level_of_heading = int(heading.group(1))
        elif line.startswith("| ") and not line.startswith("| theme |") and level_of_heading:
            module = library.get([c.strip() for c in line.strip("|").split("|")][3])
            level = library.level_of(module) if module else None
            assert level is not None and level.number == level_of_heading, line


def test_stated_minutes_are_within_20_percent_of_the_computed(library):
    off = {
        m.id: (m.minutes, m.computed_minutes)
        for m in library.modules.values()
        if abs(m.minutes - m.computed_minutes) > 0.2 * m.computed_minutes
    }
    assert off == {}, "stated, computed"


def test_every_levels_first_modules_look_after_the_learner(library):
    missing = {}
    for level, modules in library.by_level():
        at_level = {m.id for m in modules}
        first = [m for m in modules if not set(m.prerequisites) & at_level]
        assert first, f"{level_id(level)} has no module to start with"
        without = [
            m.id
            for m in first
            if not any(isinstance(b, LookingAfterYou) for s in m.sections for b in s.blocks)
        ]
        if without:
            missing[level_id(level)] = without
    assert missing == {}, "first modules (no prerequisite at their level) without '::: looking-after-you'"


def test_level_4_has_at_least_four_modules_of_75_to_100_minutes_in_all(library):
    level, modules = library.by_level()[3]
    minutes = sum(m.minutes for m in modules)
    assert len(modules) >= 4 and 75 <= minutes <= 100, f"{len(modules)} modules, {minutes} minutes"


def test_every_section_with_distressing_words_has_a_content_note(library):
    unnoted = [str(p) for p in library.problems if "but has no content note" in p.message]
    assert unnoted == []


def learner_text(module: Module) -> list[str]:
    """Every piece of text a learner can see in a module, as written (tokens left in)."""
    texts = [module.title, module.summary, plain_text(module.intro_html)]
    texts += [o.text for o in module.outcomes]
    for section in module.sections:
        texts.append(section.title)
        blocks = [*([section.note] if section.note else []), *section.blocks]
        for block in blocks:
            if isinstance(block, Html):
                texts.append(plain_text(block.html))
            elif isinstance(block, Question):
                texts.append(plain_text(block.prompt_html))
                for option in block.options:
                    texts += [plain_text(option.text_html), plain_text(option.feedback_html)]
            elif isinstance(block, ContentNote):
                texts += [block.topic, plain_text(block.text_html)]
            elif isinstance(block, Reflection):
                texts.append(plain_text(block.prompt_html))
            elif isinstance(block, PausePoint):
                texts.append(plain_text(block.text_html))
            elif isinstance(block, LookingAfterYou):
                texts.append(plain_text(block.intro_html))
    return texts


def test_no_module_or_glossary_term_writes_a_schemes_level_name(library):
    found = {
        module.id: names
        for module in library.all_modules.values()
        if (
            names := [
                w for text in learner_text(module) for w, _ in hard_coded_level_names(TOKEN.sub(" ", text))
            ]
        )
    }
    for term in library.glossary.terms:
        text = TOKEN.sub(" ", f"{term.term} {plain_text(term.definition_html)}")
        if names := [w for w, _ in hard_coded_level_names(text)]:
            found[f"glossary: {term.id}"] = names
    assert found == {}


@pytest.mark.parametrize("scheme", ["west-midlands", "hampshire"])
def test_both_schemes_render_every_module_with_their_own_level_names(make_app, make_user, scheme):
    app = make_app(MODULES_DIRS=[str(MODULES)], LEVEL_SCHEME=scheme)
    own = {level.name for level in load_scheme(scheme).levels}
    foreign = re.compile("|".join(re.escape(n) for n in sorted(set(shipped_level_names()) - own)))
    learner = make_user()
    client = app.test_client()
    assert client.post("/sign-in", data={"email": learner.email, "password": PASSWORD}).status_code == 302
    with app.app_context():
        from tilearn.web.library_state import current_library

        modules = list(current_library().modules.values())
    assert modules
    problems = []
    for module in modules:
        urls = [f"/learn/{module.id}"] + [f"/learn/{module.id}/{s.id}?note=continue" for s in module.sections]
        for url in urls:
            page = client.get(url)
            text = unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))
            if page.status_code != 200 or "[[level" in text or foreign.search(text):
                problems.append(f"{url}: {page.status_code} {sorted(set(foreign.findall(text)))}")
    assert problems == []
