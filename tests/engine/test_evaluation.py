"""Evaluation questionnaires as scheme data: three stages, plain scales, one free-text question at most."""

from __future__ import annotations

import pytest

from tilearn.engine.evaluation import AFTER, BEFORE, SIX_MONTHS, STAGES, check_answers
from tilearn.engine.levels import load_scheme


@pytest.mark.parametrize("name", ["west-midlands", "hampshire"])
def test_both_shipped_schemes_have_the_three_questionnaires(name):
    evaluation = load_scheme(name).evaluation
    assert [q.stage for q in evaluation.questionnaires] == list(STAGES)
    assert evaluation.follow_up_months == 6
    for questionnaire in evaluation.questionnaires:
        assert sum(q.free_text for q in questionnaire.questions) <= 1
        for question in questionnaire.questions:
            assert question.free_text or all(option.label for option in question.options)
    before = {q.key for q in evaluation.questionnaire(BEFORE).questions}
    after = {q.key for q in evaluation.questionnaire(AFTER).questions}
    assert {"confidence", "knowledge"} <= before
    assert {"confidence", "knowledge", "intention", "safe", "supported"} <= after
    assert "practice" in {q.key for q in evaluation.questionnaire(SIX_MONTHS).questions}


def test_answers_are_read_plainly_and_none_at_all_is_a_problem():
    questionnaire = load_scheme().evaluation.questionnaire(AFTER)
    answers, problem = check_answers(
        questionnaire, {"confidence": ["3"], "safe": ["made-up"], "comments": ["  Fine.  "], "other": ["x"]}
    )
    assert answers == {"confidence": "3", "comments": "Fine."} and problem is None
    nothing = check_answers(questionnaire, {"comments": ["   "]})
    assert nothing == ({}, "Answer at least one question, or choose Not now")
    assert check_answers(questionnaire, {"comments": ["x" * 1001]})[1].startswith("Your comment can be 1,000")


def write_scheme(tmp_path, evaluation: str):
    path = tmp_path / "scheme.yaml"
    path.write_text(
        "name: Test\nlevels:\n  - key: one\n    name: One\nthemes:\n  - key: t\n    name: T\nevaluation:\n"
        + evaluation,
        encoding="utf-8",
    )
    return str(path)


SCALES = "  scales:\n    s: [{key: a, label: A}, {key: b, label: B}]\n"


def stages(questions: str) -> str:
    return "  questionnaires:\n" + "".join(
        f"    {stage}:\n      title: T\n      questions:\n{questions}" for stage in STAGES
    )


def test_a_scheme_may_bring_its_own_questionnaires(tmp_path):
    scheme = load_scheme(write_scheme(tmp_path, SCALES + stages("        - {key: q, text: Q, scale: s}\n")))
    assert [o.label for o in scheme.evaluation.questionnaire(BEFORE).question("q").options] == ["A", "B"]


@pytest.mark.parametrize(
    ("evaluation", "message"),
    [
        (SCALES + stages("        - {key: q, text: Q}\n        - {key: r, text: R}\n"), "one free-text"),
        (SCALES + stages("        - {key: q, text: Q, scale: nope}\n"), "names no scale"),
        (SCALES + "  questionnaires:\n    before:\n      title: T\n      questions: []\n", "'after'"),
        ("  scales:\n    s: [{key: a, label: A}]\n" + stages(""), "two or more options"),
    ],
)
def test_a_bad_evaluation_section_is_refused_plainly(tmp_path, evaluation, message):
    with pytest.raises(ValueError, match=message):
        load_scheme(write_scheme(tmp_path, evaluation))
