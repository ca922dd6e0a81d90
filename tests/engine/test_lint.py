"""Every lint rule on its fixture, with the exact path:line reported."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import FIXTURE_MODULES, write_module
from tilearn.config import PROJECT_ROOT
from tilearn.engine import load_library
from tilearn.engine.levels import load_scheme

BROKEN = PROJECT_ROOT / "tests" / "fixtures" / "modules" / "broken"

# (fixture folder, line, the message that must be reported there)
RULES = [
    ("no-front-matter", 1, "the file must start with front matter between two '---' lines"),
    ("unclosed-front-matter", 1, "front matter has no closing '---' line"),
    ("bad-yaml", 3, "front matter is not valid YAML: expected ',' or ']', but got ':'"),
    ("yaml-alias", 6, "YAML anchors and aliases (& and *) are not allowed"),
    ("missing-title", 1, "front matter is missing 'title'"),
    ("unknown-field", 8, "unknown front matter field 'colour'"),
    ("unknown-level", 4, "unknown level 'expert' (expected one of: aware, informed, responsive, specialist)"),
    ("malformed-id", 2, "module id 'Malformed_ID' must be lower-case letters, digits and hyphens"),
    ("id-mismatch", 2, "module id 'another-name' must match its folder name 'id-mismatch'"),
    ("float-version", 5, 'version must be in quotes, for example version: "1.0"'),
    ("unknown-theme", 9, "outcome 1 has unknown theme 'astrology'"),
    ("bad-pass-mark", 8, "'pass_mark' must be a whole number from 0 to 100"),
    ("no-sections", 13, "the module has no sections: start each with a '## ' heading"),
    ("title-heading", 13, "use '## ' for section headings; the title comes from front matter"),
    ("duplicate-section-id", 17, "duplicate section id 'a-section'"),
    ("malformed-section-id", 13, "section 'A section' id 'Not Valid' must be lower-case letters"),
    ("duplicate-question-id", 26, "duplicate id 'q-one'"),
    ("question-without-id", 17, "single-choice needs an id, written {#some-id} after its name"),
    ("quiz-no-right-answer", 17, "question 'q-one' has no right answer (mark one with - [x])"),
    ("quiz-missing-feedback", 22, "question 'q-one': option 'No' has no feedback"),
    ("quiz-one-option", 17, "question 'q-one' needs at least two options"),
    ("single-choice-two-right", 17, "question 'q-one' is single-choice but has 2 right answers"),
    ("true-false-options", 17, "question 'q-one' is true-false: its options must be 'True' then 'False'"),
    ("unknown-block", 17, "unknown block type 'video'"),
    ("unclosed-block", 17, "'::: reflection' block is never closed with ':::'"),
    ("note-bad-handling", 17, "content note 'handling:' must be one of mentioned, described, case study"),
    ("note-not-first", 17, "a content note must come first in its section"),
    ("broken-section-link", 17, "link to '#nowhere' but the module has no section with that id"),
    ("unknown-glossary-term", 17, "glossary term 'not-a-term' is not in the glossary"),
    ("missing-image", 17, "'images/missing.png' does not exist in the module's folder"),
    ("image-without-alt", 17, "image 'images/dot.png' has no alt text"),
    ("block-in-introduction", 14, "special blocks must be inside a section (after a '## ' heading)"),
    ("unknown-prerequisite", 8, "prerequisite 'no-such-module' is not a known module"),
]


@pytest.fixture(scope="module")
def broken_library():
    return load_library([BROKEN], load_scheme(), display_root=PROJECT_ROOT)


def reported(library) -> list[str]:
    return [str(p) for p in library.problems]


@pytest.mark.parametrize(("folder", "line", "message"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_is_reported_at_its_line(broken_library, folder, line, message):
    prefix = f"tests/fixtures/modules/broken/{folder}/module.md:{line}: "
    matches = [p for p in reported(broken_library) if p.startswith(prefix) and message in p]
    assert matches, f"expected {prefix}{message}\ngot:\n" + "\n".join(
        p for p in reported(broken_library) if f"/{folder}/" in p
    )


def test_every_fixture_has_a_rule_and_none_is_served(broken_library):
    folders = {p.name for p in BROKEN.iterdir() if p.is_dir()}
    assert folders == {r[0] for r in RULES} | {"sensitive-without-note"}
    assert set(broken_library.modules) == {"sensitive-without-note"}  # only a warning: still served


def test_sensitive_words_without_a_note_is_a_warning(broken_library):
    expected = (
        "tests/fixtures/modules/broken/sensitive-without-note/module.md:13: warning: "
        "section 'a-section' mentions 'abuse' but has no content note"
    )
    assert expected in reported(broken_library)


def test_the_worked_example_in_the_docs_is_clean():
    library = load_library([FIXTURE_MODULES], load_scheme())
    assert library.problems == []
    module = library.get("worked-example")
    kinds = {b.kind for s in module.sections for b in s.blocks}
    assert {"single-choice", "multiple-choice", "true-false", "reflection", "pause-point"} <= kinds
    assert module.sections[1].note is not None and module.sections[1].note.optional


def test_oversized_files_are_reported(tmp_path):
    write_module(tmp_path / "big-text", body="## One {#one}\n\n" + "word " * 120_000)
    pic = write_module(tmp_path / "big-image", body="## One {#one}\n\n![A big picture](big.png)\n")
    (pic.parent / "big.png").write_bytes(b"\0" * (1024 * 1024 + 1))
    problems = [str(p) for p in load_library([tmp_path], load_scheme()).problems]
    assert any("big-text/module.md:1: the file is larger than 512 KB" in p for p in problems)
    assert any("big-image/module.md:15: 'big.png' is larger than 1 MB" in p for p in problems)


def test_folders_that_are_not_modules_are_reported(tmp_path):
    write_module(tmp_path / "Not A Module Id")
    two = write_module(tmp_path / "two-files")
    (two.parent / "extra.md").write_text("more", encoding="utf-8")
    (tmp_path / "empty-folder").mkdir()
    problems = [str(p) for p in load_library([tmp_path], load_scheme()).problems]
    assert any(
        p.endswith("Not A Module Id:1: folder name must be a module id: lower-case letters, digits, hyphens")
        for p in problems
    )
    assert any(
        p.endswith("two-files:1: module folder has 2 markdown files; keep exactly one") for p in problems
    )
    assert any(p.endswith("empty-folder:1: module folder has no markdown file") for p in problems)


def test_a_module_id_in_two_places_is_served_once(tmp_path):
    write_module(tmp_path / "a" / "same-id", title="First")
    write_module(tmp_path / "b" / "same-id", title="Second")
    library = load_library([tmp_path / "a", tmp_path / "b"], load_scheme())
    assert library.get("same-id").title == "First"
    assert any("duplicate module id 'same-id'" in str(p) for p in library.problems)


def lint_command(*args: str) -> subprocess.CompletedProcess:
    """Run `flask modules lint` as a trainer would."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tilearn", "modules", "lint", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={"TILEARN_ENV": "development", "PATH": ""},
    )


def test_the_lint_command_prints_path_line_and_exits_non_zero():
    run = lint_command("tests/fixtures/modules/broken")
    assert run.returncode == 1
    assert (
        "tests/fixtures/modules/broken/unknown-block/module.md:17: unknown block type 'video'" in run.stdout
    )
    assert run.stdout.strip().endswith("34 module(s) checked: 34 error(s), 1 warning(s)")
    clean = lint_command("--strict", str(FIXTURE_MODULES))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "1 module(s) checked: 0 error(s), 0 warning(s)" in clean.stdout


def test_strict_lint_treats_warnings_as_errors():
    run = lint_command("--strict", "tests/fixtures/modules/broken/sensitive-without-note")
    assert run.returncode == 1
    assert "1 module(s) checked: 0 error(s), 1 warning(s)" in run.stdout
