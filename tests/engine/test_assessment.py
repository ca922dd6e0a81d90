"""Question banks, the assessment summary, fingerprints, level-name tokens and the looking-after-you block."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import write_module
from tilearn.engine import load_library
from tilearn.engine.assessment import right_is_longest
from tilearn.engine.banks import draw_questions, unchanged_answers
from tilearn.engine.level_names import NO_NEXT_LEVEL, fill_level_names, hard_coded_level_names
from tilearn.engine.levels import Level, LevelScheme, load_scheme
from tilearn.engine.spec import LookingAfterYou


def single(
    qid: str,
    right: str = "Ask what would help",
    wrong: tuple[str, ...] = ("Tell them firmly to calm down", "Wait"),
) -> str:
    options = [f"- [x] {right}\n  Yes, because it offers a choice."]
    options += [f"- [ ] {text}\n  Not quite; it takes the choice away." for text in wrong]
    return f"::: single-choice {{#{qid}}}\nWhat would you do?\n\n" + "\n".join(options) + "\n:::\n\n"


def true_false(qid: str, true: bool) -> str:
    return (
        f"::: true-false {{#{qid}}}\nA statement.\n\n- [{'x' if true else ' '}] True\n  About true.\n"
        f"- [{' ' if true else 'x'}] False\n  About false.\n:::\n\n"
    )


BANK = (
    "## Bank {#bank draw=2}\n\nSome text.\n\n"
    + "".join(single(f"q-{n}") for n in range(1, 6))
    + "## Plain {#plain}\n\nMore text.\n\n"
    + true_false("q-t", True)
    + true_false("q-f", False)
)


@pytest.fixture
def bank_module(tmp_path):
    write_module(tmp_path / "banked", body=BANK, minutes="6")
    library = load_library([tmp_path], load_scheme())
    assert [str(p) for p in library.problems] == []
    return library.get("banked")


def test_a_bank_shows_its_draw_and_the_module_counts_bank_and_shown(bank_module):
    bank = bank_module.section("bank")
    assert bank.draw == 2 and bank.shown_per_attempt == 2 and len(bank.questions) == 5
    assert bank_module.section("plain").draw is None and bank_module.section("plain").shown_per_attempt == 2
    assert bank_module.questions_in_banks == 7 and bank_module.shown_per_attempt == 4
    assert str(bank_module.assessment) == (
        "assessment: 7 questions in banks, 4 shown; true/false 1 true and 1 false; "
        "the right option is the longest in 0 of 5 single-choice questions"
    )


def test_draws_are_repeatable_and_a_retry_shows_questions_not_yet_seen(bank_module):
    bank = bank_module.section("bank")
    first = draw_questions(bank, "7|banked|bank|1", 0)
    assert first == draw_questions(bank, "7|banked|bank|1", 0)  # a reload shows the same items
    assert len(first) == 2 and list(first) == [q for q in bank.questions if q in first]  # written order
    second = draw_questions(bank, "7|banked|bank|1", 1)
    third = draw_questions(bank, "7|banked|bank|1", 2)
    assert not {q.id for q in first} & {q.id for q in second}  # the retry shows others
    assert {q.id for q in first + second + third} == {q.id for q in bank.questions}  # all seen by the third
    seeds = {tuple(q.id for q in draw_questions(bank, f"{user}|banked|bank|1", 0)) for user in range(20)}
    assert len(seeds) > 1  # learners do not all get the same two
    plain = bank_module.section("plain")
    assert draw_questions(plain, "any", 3) == plain.questions  # no draw: every question, every time


def test_a_bank_counts_only_the_questions_read_in_the_computed_minutes(tmp_path):
    all_shown = BANK.replace(" draw=2", "")
    write_module(tmp_path / "whole", body=all_shown, minutes="8")
    write_module(tmp_path / "banked", body=BANK, minutes="6")
    library = load_library([tmp_path], load_scheme())
    whole, banked = library.get("whole"), library.get("banked")
    assert whole.computed_minutes - banked.computed_minutes >= 3  # three fewer questions, fewer words


@pytest.mark.parametrize(
    ("heading", "message"),
    [
        ("## Bank {#bank draw=0}", "draw=0: draw must be a whole number from 1 to 5"),
        ("## Bank {#bank draw=6}", "draw=6: draw must be a whole number from 1 to 5"),
        ("## Bank {#bank draw=}", "draw=: draw must be a whole number from 1 to 5"),
        ("## Bank {#bank draw=2 draw=3}", "a section heading has more than one 'draw='; keep one"),
    ],
)
def test_a_bad_draw_is_an_error_at_its_heading(tmp_path, heading, message):
    path = write_module(tmp_path / "banked", body=BANK.replace("## Bank {#bank draw=2}", heading))
    problems = [str(p) for p in load_library([tmp_path], load_scheme()).problems]
    body_start = path.read_text().splitlines().index(heading) + 1
    assert any(
        p.endswith(f"module.md:{body_start}: {message}") or f":{body_start}: {message}" in p for p in problems
    )


def test_a_draw_on_a_section_without_questions_is_an_error(tmp_path):
    write_module(tmp_path / "empty-bank", body="## Reading {#reading draw=2}\n\nText.\n")
    problems = [str(p) for p in load_library([tmp_path], load_scheme()).problems]
    assert any(
        "section 'reading' has draw=2 but no questions; remove draw=, or add questions" in p for p in problems
    )


def test_the_fingerprint_follows_what_is_asked_not_the_feedback(bank_module):
    question = bank_module.section("bank").questions[0]
    reworded_feedback = dataclasses.replace(
        question,
        options=tuple(dataclasses.replace(o, feedback_html="Other words.") for o in question.options),
    )
    assert reworded_feedback.fingerprint == question.fingerprint
    other_answer = dataclasses.replace(
        question, options=tuple(dataclasses.replace(o, correct=not o.correct) for o in question.options)
    )
    other_prompt = dataclasses.replace(question, prompt_html="<p>Something else?</p>")
    assert len({question.fingerprint, other_answer.fingerprint, other_prompt.fingerprint}) == 3
    section = bank_module.section("bank")
    saved = {question.id: question.fingerprint, section.questions[1].id: "0123456789abcdef"}
    answers = {question.id: [0], section.questions[1].id: [0]}
    assert unchanged_answers(section, answers, saved) == {question.id: [0]}  # the changed one is dropped
    assert unchanged_answers(section, answers, None) == {}  # saved before fingerprints: never put back


def test_the_longest_option_is_measured_in_the_words_a_learner_reads(tmp_path):
    body = "## One {#one}\n\n" + single("q-a", right="**Ask**", wrong=("Tell them", "Wait a while"))
    write_module(tmp_path / "short-right", body=body)
    question = load_library([tmp_path], load_scheme()).get("short-right").questions[0]
    assert not right_is_longest(question)


WEST_MIDLANDS, HAMPSHIRE = load_scheme("west-midlands"), load_scheme("hampshire")


@pytest.mark.parametrize(
    ("token", "module_level", "west_midlands", "hampshire"),
    [
        ("[[level:this]]", "aware", "Level 1: Trauma Aware", "Level 1: Trauma Informed"),
        ("[[level:next]]", "aware", "Level 2: Trauma Informed", "Level 2: Trauma Skilled"),
        ("[[level:next]]", "informed", "Level 3: Trauma Responsive", "Level 3: Trauma Enhanced"),
        ("[[level-name:responsive]]", "aware", "Trauma Responsive", "Trauma Enhanced"),
        ("[[level:specialist]]", "aware", "Level 4: Trauma Specialist", "Level 4: Trauma Specialist"),
        ("[[level:next]]", "specialist", NO_NEXT_LEVEL, NO_NEXT_LEVEL),
        ("[[level-name:this]]", "informed", "Trauma Informed", "Trauma Skilled"),
    ],
)
def test_level_tokens_are_filled_from_the_organisations_scheme(token, module_level, west_midlands, hampshire):
    html = f"<p>Next comes {token}.</p>"
    assert fill_level_names(html, WEST_MIDLANDS, module_level) == f"<p>Next comes {west_midlands}.</p>"
    assert fill_level_names(html, HAMPSHIRE, module_level) == f"<p>Next comes {hampshire}.</p>"


def test_a_filled_level_name_is_escaped():
    level = Level("one", "Safe <b> & sound", 1, "", 12, ("aware",))
    scheme = LevelScheme("Odd", (level,), ())
    assert fill_level_names("[[level:aware]]", scheme) == "Level 1: Safe &lt;b&gt; &amp; sound"


def test_tokens_survive_rendering_in_text_questions_and_feedback(tmp_path):
    body = (
        "## One {#one}\n\nYou are at **[[level:this]]**; next is [[level:next]].\n\n"
        "- a list item about [[level-name:informed]]\n\n"
        "::: single-choice {#q-a}\nWhat does [[level:this]] ask of you?\n\n"
        "- [x] Kindness\n  Yes, at [[level:this]].\n- [ ] Therapy\n  Not quite.\n"
        "- [ ] Nothing\n  Not quite.\n:::\n"
    )
    write_module(tmp_path / "tokens", body=body)
    library = load_library([tmp_path], load_scheme())
    assert [str(p) for p in library.problems] == []
    module = library.get("tokens")
    html = module.sections[0].blocks[0].html
    assert "<strong>[[level:this]]</strong>" in html and "[[level-name:informed]]" in html
    question = module.questions[0]
    assert "[[level:this]]" in question.prompt_html and "[[level:this]]" in question.options[0].feedback_html
    assert "Level 1: Trauma Aware" in fill_level_names(html, WEST_MIDLANDS, module.level)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("This builds on the Trauma Aware level.", ["Trauma Aware"]),
        ("Trauma Aware, Informed and Responsive practice", ["Trauma Aware"]),
        ("At Level 2 you will", ["Level 2"]),
        ("at level 3, managers", ["level 3"]),
        ("the Trauma Skilled and Trauma Enhanced levels", ["Trauma Skilled", "Trauma Enhanced"]),
        ("Hampshire Trauma Informed Workforce Framework", []),
        ("the Trauma Informed Derbyshire handbook", []),
        ("trauma-informed practice and a trauma informed service", []),
        ("trauma specialist services", []),
        ("Level 3 safeguarding training for health staff", []),
        ("[[level:informed]] and [[level-name:aware]]", []),
    ],
)
def test_hard_coded_level_names_are_found_without_false_alarms(text, found):
    from tilearn.engine.level_names import TOKEN

    assert [written for written, _key in hard_coded_level_names(TOKEN.sub(" ", text))] == found


def test_level_names_are_checked_in_module_titles_and_the_glossary(tmp_path):
    write_module(tmp_path / "titled", title="Trauma Aware basics", summary="Start here.")
    (tmp_path / "glossary.md").write_text(
        "---\ntitle: Glossary\n---\n## Trauma-informed practice {#tip}\n\n"
        "Trauma-informed practice is a way of working.\n"
        "Trauma Informed is also the second level.\n\n"
        "## Level {#level}\n\nSee [[level:this]] and [[level:aware]].\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in load_library([tmp_path], load_scheme()).problems]
    assert any(
        p.endswith(
            "titled/module.md:3: warning: 'Trauma Aware' is one level scheme's name for a level, "
            "and organisations on another scheme call it something else; write [[level:aware]], or "
            "[[level-name:aware]] for the name alone, or reword"
        )
        for p in problems
    ), problems
    assert any("glossary.md:7: warning: 'Trauma Informed' is one level scheme's name" in p for p in problems)
    assert any(
        "glossary.md:11: '[[level:this]]' names no level; after 'level:' write one of aware, informed, "
        "responsive, specialist (the glossary has no level of its own)" in p
        for p in problems
    )
    assert len(problems) == 3, problems


def test_looking_after_you_is_a_block_with_an_introduction_and_no_answer(tmp_path):
    body = (
        "## How this course looks after you {#looking-after-you}\n\n"
        "::: looking-after-you\nA few words **first**.\n:::\n"
    )
    write_module(tmp_path / "first", body=body)
    library = load_library([tmp_path], load_scheme())
    assert [str(p) for p in library.problems] == []
    module = library.get("first")
    (block,) = module.sections[0].blocks
    assert isinstance(block, LookingAfterYou) and block.line == 15
    assert block.intro_html == "<p>A few words <strong>first</strong>.</p>"
    assert module.questions == () and module.sections[0].reflections == ()
    write_module(tmp_path / "first", body=body.replace("A few words **first**.\n", ""))
    bare = load_library([tmp_path], load_scheme()).get("first").sections[0].blocks[0]
    assert isinstance(bare, LookingAfterYou) and bare.intro_html == ""


def test_next_in_a_top_level_module_is_a_warning(tmp_path):
    body = "## One {#one}\n\nText.\n\nAfter this, consider [[level:next]].\n"
    write_module(tmp_path / "top", body=body, level="specialist")
    write_module(tmp_path / "lower", body=body, level="responsive")
    problems = [str(p) for p in load_library([tmp_path], load_scheme()).problems]
    assert problems == [
        f"{tmp_path}/top/module.md:17: warning: '[[level:next]]' is in a module at the top level, so "
        "learners read 'the next level' although there is none; reword the sentence"
    ]
