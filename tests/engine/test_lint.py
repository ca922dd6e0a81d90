"""Every lint rule on its fixture, with the exact path:line reported."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_MODULES, write_module
from tilearn.config import PROJECT_ROOT
from tilearn.engine import lint, load_library
from tilearn.engine.levels import load_scheme

BROKEN = PROJECT_ROOT / "tests" / "fixtures" / "modules" / "broken"

# (fixture folder, line, the message that must be reported there)
RULES = [
    ("no-front-matter", 1, "the file must start with front matter between two '---' lines"),
    ("unclosed-front-matter", 1, "front matter has no closing '---' line"),
    ("bad-yaml", 3, "front matter: a list opened with '[' here is not closed with ']'; close it, or put"),
    ("yaml-colon", 6, "front matter: this line has a colon in its text; put the text in quotes"),
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
    ("duplicate-question-id", 28, "duplicate id 'q-one'"),
    ("question-without-id", 17, "single-choice needs an id, written {#some-id} after its name"),
    ("quiz-no-right-answer", 17, "question 'q-one' has no right answer (mark one with - [x])"),
    ("quiz-missing-feedback", 22, "question 'q-one': option 'No' has no feedback"),
    ("quiz-one-option", 17, "question 'q-one' needs at least two options"),
    ("single-choice-two-right", 17, "question 'q-one' is single-choice but has 2 right answers"),
    ("true-false-options", 17, "question 'q-one' is true-false: its options must be 'True' then 'False'"),
    ("unknown-block", 17, "unknown block type 'video'"),
    ("unclosed-block", 17, "'::: reflection' block is never closed with ':::'"),
    (
        "unclosed-block-swallows-section",
        17,
        "'::: reflection' block is never closed with ':::'; it runs into a '## ' heading at line 20",
    ),
    ("note-bad-handling", 18, "content note 'handling:' must be one of mentioned, described, case study"),
    ("note-not-first", 18, "a content note must come first in its section"),
    ("broken-section-link", 17, "link to '#nowhere' but the module has no section with that id"),
    ("unknown-glossary-term", 17, "glossary term 'not-a-term' is not in the glossary"),
    ("missing-image", 17, "'images/missing.png' does not exist in the module's folder"),
    ("image-without-alt", 17, "image 'images/dot.png' has no alt text"),
    ("block-in-introduction", 14, "special blocks must be inside a section (after a '## ' heading)"),
    ("unknown-prerequisite", 8, "prerequisite 'no-such-module' is not a known module; use the id of"),
    ("empty-prerequisite", 12, "a prerequisite is empty; name a module"),
    ("verdict-wording", 23, "'You failed', 'Wrong': a pass/fail verdict learners would see; say kindly"),
    ("time-pressure", 17, "'the clock': time pressure learners would see; learners go at their own pace"),
    ("duplicate-section-title", 17, "section title 'What helps' is also used at line 13; learners could not"),
    (
        "misspelt-glossary-link",
        17,
        "link 'glosary:window-of-tolerance' starts with 'glosary:', which learners' browsers cannot open; "
        "did you mean 'glossary:'?",
    ),
    ("malformed-url", 17, "link 'https:/www.example.org/guidance' is not a valid web address"),
    (
        "draw-too-large",
        13,
        "draw=3: draw must be a whole number from 1 to 2, the number of questions in section 'a-section'",
    ),
    ("draw-not-a-number", 13, "draw=two: draw must be a whole number from 1 to 2"),
    ("unknown-section-setting", 13, "'colour=red' is not a section setting; a heading's braces hold its id"),
    (
        "unknown-level-token",
        17,
        "'[[level:expert]]' names no level; after 'level:' write one of aware, informed, responsive, "
        "specialist, this (the module's own level) or next",
    ),
    ("level-token-in-title", 3, "'[[level:next]]' cannot be filled in here: the title and summary go"),
]
#: Rules that only warn: the module is still served (and previewed).
WARNINGS = [
    (
        "sensitive-without-note",
        15,
        "warning: section 'a-section' mentions 'domestic abuse' but has no content note; "
        "put a '::: content-note' first in the section (topic and handling), or reword",
    ),
    (
        "distressing-without-note",
        17,
        "warning: section 'a-section' mentions 'died', 'overdose', 'neglect', 'grooming', 'injuries', "
        "'violence' but has no content note",
    ),
    ("note-only-in-front-matter", 13, "warning: content note 'bereavement' is in front matter but no"),
    ("note-only-in-section", 15, "warning: section content note 'bereavement' is not in the front matter"),
    ("raw-html", 17, "warning: raw HTML is removed before learners see it: <div>; write it in markdown"),
    ("raw-html", 19, "warning: raw HTML is removed before learners see it: 'style' on <b>"),
    (
        "true-false-one-way",
        17,
        "warning: all 2 true/false questions in this module have the answer False ('q-one', 'q-two'); "
        "make some of them true statements, so always answering 'False' does not pass",
    ),
    (
        "right-is-longest",
        17,
        "warning: the right option is the longest in 2 of 2 single-choice questions ('q-one', 'q-two'); "
        "learners learn to pick the longest",
    ),
    (
        "one-wrong-option",
        17,
        "warning: question 'q-one' has only one wrong option; add wrong options until it has at least 2",
    ),
    (
        "all-of-the-above",
        26,
        "warning: question 'q-one': the option 'All of the above' can be answered from the shape of the "
        "question; write each option as an answer of its own",
    ),
    (
        "hard-coded-level-name",
        17,
        "warning: 'Trauma Aware' is one level scheme's name for a level, and organisations on another "
        "scheme call it something else; write [[level:aware]], or [[level-name:aware]] for the name alone",
    ),
    (
        "minutes-far-off",
        7,
        "warning: 'minutes: 30' is more than 30% away from the 1 minute worked out from the module's "
        "words, questions and reflections; write 'minutes: 1'",
    ),
]

FOLDERS = {p.name for p in BROKEN.iterdir() if p.is_dir()}
WARNED = {r[0] for r in WARNINGS}


@pytest.fixture(scope="module")
def broken_library():
    return load_library([BROKEN], load_scheme(), display_root=PROJECT_ROOT)


def reported(library) -> list[str]:
    return [str(p) for p in library.problems]


@pytest.mark.parametrize(
    ("folder", "line", "message"), RULES + WARNINGS, ids=[f"{r[0]}:{r[1]}" for r in RULES + WARNINGS]
)
def test_each_rule_is_reported_at_its_line(broken_library, folder, line, message):
    prefix = f"tests/fixtures/modules/broken/{folder}/module.md:{line}: "
    matches = [p for p in reported(broken_library) if p.startswith(prefix) and message in p]
    assert matches, f"expected {prefix}{message}\ngot:\n" + "\n".join(
        p for p in reported(broken_library) if f"/{folder}/" in p
    )


def test_every_fixture_has_a_rule_and_none_is_served(broken_library):
    folders = {p.name for p in BROKEN.iterdir() if p.is_dir()}
    assert folders == {r[0] for r in RULES} | {r[0] for r in WARNINGS}
    assert set(broken_library.modules) == {r[0] for r in WARNINGS}  # only warnings: still served
    for folder in folders:  # each fixture breaks one rule (raw-html shows two tags)
        found = [p for p in reported(broken_library) if f"/{folder}/" in p]
        assert len(found) == (2 if folder == "raw-html" else 1), found


def test_problems_are_sorted_by_file_and_line_and_each_is_reported_once(broken_library):
    keys = [(p.path, p.line) for p in broken_library.problems]
    assert keys == sorted(keys)
    assert len(set(broken_library.problems)) == len(broken_library.problems)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("You failed this one.", True),
        ("That is wrong.", True),
        ("Incorrect! Try again.", True),
        ("Wrong. It is the other one.", True),
        ("That was the wrong answer.", True),
        ("Hurry up, only 30 seconds left.", True),
        ("Time is running out.", True),
        ("There is no deadline.", True),
        ("There is no wrong answer here.", False),
        ("There is no right or wrong answer.", False),
        ("Something went wrong at home.", False),
        ("Services that fell short of what people needed.", False),
        ("Round-the-clock support is available.", False),
        ("Take your time; there is no timer.", False),
    ],
)
def test_verdict_and_pressure_wording(text, flagged):
    found: list[str] = []
    lint.check_wording([(1, text)], lambda _line, message: found.append(message))
    assert bool(found) is flagged, found


def test_trainer_only_text_is_not_checked_for_wording(tmp_path):
    body = (
        "## One {#wrong-answers}\n\n<!-- trainer note: hurry the clock, failed -->\n\n"
        "See [that part](#wrong-answers).\n"
    )
    write_module(tmp_path / "quiet", body=body)
    assert [str(p) for p in load_library([tmp_path], load_scheme()).problems] == []


def test_wording_in_a_visible_front_matter_field_is_an_error(tmp_path):
    write_module(tmp_path / "rushed", summary="Hurry! Finish before time runs out.")
    problems = [str(p) for p in load_library([tmp_path], load_scheme()).problems]
    assert any("rushed/module.md:6: 'Hurry', 'before time runs out': time pressure" in p for p in problems)


def test_an_organisation_can_add_sensitive_words(tmp_path):
    write_module(tmp_path / "knives", body="## One {#one}\n\nA story about knife crime and stalking.\n")
    assert load_library([tmp_path], load_scheme()).problems == []
    extra = load_library([tmp_path], load_scheme(), sensitive_words=["knife crime", "stalk*"]).problems
    said = [p.message.split(" but ")[0] for p in extra]
    assert said == ["section 'one' mentions 'knife crime', 'stalking'"]
    assert all(not p.is_error for p in extra)


def test_every_default_sensitive_word_is_documented():
    guide = (PROJECT_ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    for word in lint.SENSITIVE_WORDS:
        assert f"`{word}`" in guide, word


def test_computed_minutes_follow_the_documented_formula(tmp_path):
    words = " ".join(["word"] * 400)  # two minutes of reading
    reflection = "::: reflection {#r-one}\nWhat do you notice?\n:::\n"
    write_module(tmp_path / "timed", body=f"## One {{#one}}\n\n{words}\n\n{reflection}", minutes="4")
    library = load_library([tmp_path], load_scheme())
    assert library.problems == []
    assert library.get("timed").computed_minutes == 4 == library.get("timed").about_minutes


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


def lint_command(*args: str, instance: Path | None = None) -> subprocess.CompletedProcess:
    """Run `flask modules lint` as on a fresh clone: no settings, no secret, no TILEARN_ENV."""
    with tempfile.TemporaryDirectory() as empty:
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "tilearn", "modules", "lint", *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            env={"PATH": "", "TILEARN_INSTANCE_PATH": str(instance or empty)},
        )


def test_the_lint_command_prints_path_line_and_exits_non_zero():
    run = lint_command("tests/fixtures/modules/broken")
    assert run.returncode == 1
    assert (
        "tests/fixtures/modules/broken/unknown-block/module.md:17: unknown block type 'video'" in run.stdout
    )
    assert run.stdout.strip().endswith(
        f"{len(FOLDERS)} module(s) checked: {len(FOLDERS) - len(WARNED)} error(s), {len(WARNINGS)} warning(s)"
    )
    lines = run.stdout.strip().splitlines()[:-1]
    summaries = [line for line in lines if ": assessment: " in line]  # one per module with questions
    lines = [line for line in lines if line not in summaries]
    assert summaries and all(line.split(": ")[0].endswith("/module.md") for line in summaries)
    assert len(lines) == len(set(lines)) == len(RULES) + len(WARNINGS)  # each message once
    assert "SECRET_KEY" not in run.stderr and "unknown block type" not in run.stderr
    where = [(line.split(":")[0], int(line.split(":")[1])) for line in lines]
    assert where == sorted(where)
    clean = lint_command("--strict", str(FIXTURE_MODULES))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "1 module(s) checked: 0 error(s), 0 warning(s)" in clean.stdout


def test_the_guides_one_module_command_works_on_a_fresh_clone(tmp_path):
    run = lint_command("tests/fixtures/modules/broken/time-pressure", instance=tmp_path)
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines() == [
        "tests/fixtures/modules/broken/time-pressure/module.md:17: 'the clock': time pressure learners would "
        "see; learners go at their own pace; leave timing out",
        "1 module(s) checked: 1 error(s), 0 warning(s)",
    ]


def test_warnings_alone_pass_without_strict():
    run = lint_command("tests/fixtures/modules/broken/raw-html")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 module(s) checked: 0 error(s), 2 warning(s)" in run.stdout


def test_strict_lint_treats_warnings_as_errors():
    run = lint_command("--strict", "tests/fixtures/modules/broken/sensitive-without-note")
    assert run.returncode == 1
    assert "1 module(s) checked: 0 error(s), 1 warning(s)" in run.stdout


def test_a_multiple_choice_prompt_need_not_say_choose_all_that_apply(tmp_path):
    question = (
        "::: multiple-choice {{#q-which}}\n{prompt}\n\n"
        "- [x] Ask\n  Yes.\n- [ ] Guess\n  Not quite.\n- [ ] Wait\n  Not quite.\n:::\n"
    )
    body = "## One {#one}\n\nText.\n\n" + question.format(prompt="Which help? Choose all\nthat apply.")
    write_module(tmp_path / "mods" / "hinted", body=body)
    problems = load_library([tmp_path / "mods"], load_scheme()).problems
    assert [(p.line, p.is_error) for p in problems if "Choose all that apply" in p.message] == [(17, False)]
    write_module(tmp_path / "plain" / "hinted", body=body.replace(" Choose all\nthat apply.", ""))
    assert load_library([tmp_path / "plain"], load_scheme()).problems == []
