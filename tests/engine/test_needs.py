"""Training-needs questions as scheme data, and the level they recommend with the reasons."""

from __future__ import annotations

import pytest

from tilearn.engine.levels import load_scheme
from tilearn.engine.needs import NOT_SURE, check_answers, recommend_level

HAMPSHIRE_CASES = [
    ({"remit": ["yes"], "specialist": ["yes"], "contact": ["yes"]}, "specialist"),
    ({"remit": ["yes"], "specialist": ["no"], "contact": ["yes"]}, "enhanced"),
    ({"remit": ["no"], "specialist": ["yes"], "contact": ["yes"]}, "skilled"),
    ({"remit": ["no"], "specialist": ["no"], "contact": ["yes"]}, "skilled"),
    ({"remit": ["no"], "specialist": ["no"], "contact": ["no"]}, "informed"),
]
WEST_MIDLANDS_CASES = [
    ({"work": ["therapy", "leading"], "contact": ["yes"]}, "specialist"),
    ({"work": ["safeguarding"], "contact": ["yes"]}, "responsive"),
    ({"work": ["leading"], "contact": ["no"]}, "responsive"),
    ({"work": ["none"], "contact": ["yes"]}, "informed"),
    ({"work": ["none"], "contact": ["no"]}, "aware"),
]


@pytest.mark.parametrize(("answers", "level"), HAMPSHIRE_CASES)
def test_hampshire_follows_its_decision_chart(answers, level):
    assessment = load_scheme("hampshire").needs_assessment
    assert recommend_level(assessment, answers).level == level


@pytest.mark.parametrize(("answers", "level"), WEST_MIDLANDS_CASES)
def test_west_midlands_follows_who_each_level_is_for(answers, level):
    assessment = load_scheme("west-midlands").needs_assessment
    assert recommend_level(assessment, answers).level == level


def test_the_reasons_name_the_answers_that_led_there_and_what_ruled_higher_levels_out():
    assessment = load_scheme("hampshire").needs_assessment
    remit, contact = assessment.question("remit").text, assessment.question("contact").text
    result = recommend_level(assessment, {"remit": ["no"], "specialist": ["no"], "contact": ["yes"]})
    assert [(r.question, r.answers, r.ruled_out) for r in result.reasons] == [
        (contact, ("Yes",), ()),
        (remit, ("No",), ("specialist", "enhanced")),
    ]
    lowest = recommend_level(assessment, {"remit": ["no"], "specialist": ["no"], "contact": ["no"]})
    assert [(r.question, r.ruled_out) for r in lowest.reasons] == [
        (remit, ("specialist", "enhanced")),
        (contact, ("skilled",)),
    ]


def test_answers_are_checked_in_plain_language():
    assessment = load_scheme("west-midlands").needs_assessment
    answers, problems = check_answers(
        assessment, {"work": ["none", "leading", "made-up"], "needs": ["skills"], "current": ["nonsense"]}
    )
    assert answers == {"work": ["none", "leading"], "needs": ["skills"]}
    assert problems == {
        "work": 'Choose "None of these" on its own, or only the answers that fit',
        "contact": "Answer: " + assessment.question("contact").text,
    }
    answers, problems = check_answers(assessment, {"work": ["none"], "contact": ["no", "yes"]})
    assert problems == {} and answers == {"work": ["none"], "contact": ["no"]}  # one answer only


def test_level_questions_offer_the_schemes_own_levels():
    scheme = load_scheme("hampshire")
    options = scheme.needs_assessment.question("ideal").options
    assert [o.key for o in options] == [level.key for level in scheme.levels] + [NOT_SURE]
    assert options[1].label == "Trauma Skilled"


def write_scheme(tmp_path, needs: str):
    path = tmp_path / "scheme.yaml"
    path.write_text(
        "name: Small\nlevels:\n  - key: one\n    name: One\n  - key: two\n    name: Two\n"
        "themes:\n  - key: t\n    name: T\nneeds_assessment:\n" + needs,
        encoding="utf-8",
    )
    return str(path)


QUESTION = (
    "  questions:\n    - key: q\n      text: Q?\n      options:\n"
    "        - key: a\n          label: A\n        - key: b\n          label: B\n"
)


def test_another_scheme_brings_its_own_questions(tmp_path):
    scheme = load_scheme(
        write_scheme(
            tmp_path, QUESTION + "  recommend:\n    - level: two\n      when: {q: b}\n    - level: one\n"
        )
    )
    assert recommend_level(scheme.needs_assessment, {"q": ["b"]}).level == "two"
    assert recommend_level(scheme.needs_assessment, {"q": ["a"]}).level == "one"


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("    - level: two\n      when: {q: b}\n", "last 'recommend' rule must have no 'when'"),
        ("    - level: three\n", "'three', which is not a level"),
        ("    - level: two\n      when: {q: c}\n    - level: one\n", "has no option 'c'"),
        ("    - level: two\n      when: {z: a}\n    - level: one\n", "names no question 'z'"),
    ],
)
def test_a_scheme_with_unusable_rules_is_refused_with_the_reason(tmp_path, rules, message):
    with pytest.raises(ValueError, match=message):
        load_scheme(write_scheme(tmp_path, QUESTION + "  recommend:\n" + rules))


def test_a_scheme_without_questions_still_loads(tmp_path):
    path = tmp_path / "plain.yaml"
    path.write_text("name: P\nlevels:\n  - key: one\n    name: One\nthemes: []\n", encoding="utf-8")
    assert load_scheme(str(path)).needs_assessment is None
