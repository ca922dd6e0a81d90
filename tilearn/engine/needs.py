"""Training-needs questions from the level scheme, and the level they recommend, with the reasons.

A scheme's ``needs_assessment:`` section lists questions (each answered by choosing one option,
or several) and rules. The rules are checked from the top; the first whose conditions all hold
gives the recommended level, and the last rule has no conditions, so every set of answers gets
one. The reasons are the answers that met the rule's conditions, and, for each higher level
passed over, the answer that ruled it out. Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tilearn.engine.data_files import listed, repeated

#: ``options: levels`` in a question means one option per level of the scheme, then "Not sure"
LEVEL_OPTIONS = "levels"
NOT_SURE = "not-sure"


@dataclass(frozen=True)
class NeedsOption:
    """One answer a manager can give to a question."""

    key: str
    label: str
    #: chosen on its own only ("None of these"): choosing it with others is refused
    exclusive: bool = False


@dataclass(frozen=True)
class NeedsQuestion:
    """One training-needs question, answered by choosing one option or several."""

    key: str
    text: str
    hint: str
    multiple: bool
    required: bool
    options: tuple[NeedsOption, ...]

    def option(self, key: str) -> NeedsOption | None:
        """The option with this key, or None."""
        return next((option for option in self.options if option.key == key), None)


@dataclass(frozen=True)
class LevelRule:
    """A level, and the answers that lead to it: every question named must have one of its answers."""

    level: str
    when: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class NeedsAssessment:
    """A scheme's training-needs questions and the rules that turn answers into a level."""

    intro: str
    questions: tuple[NeedsQuestion, ...]
    rules: tuple[LevelRule, ...]

    def question(self, key: str) -> NeedsQuestion | None:
        """The question with this key, or None."""
        return next((question for question in self.questions if question.key == key), None)


@dataclass(frozen=True)
class Reason:
    """An answer that led to the recommendation (or ruled a higher level out)."""

    question: str
    answers: tuple[str, ...]
    #: the higher levels this answer ruled out; empty when it led to the recommended level
    ruled_out: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recommendation:
    """The recommended level's key, and the answers that led there."""

    level: str
    reasons: tuple[Reason, ...]


Answers = Mapping[str, Sequence[str]]


def check_answers(assessment: NeedsAssessment, form: Mapping[str, Sequence[str]]) -> tuple[dict, dict]:
    """Read submitted answers: (answers by question key, plain-language problems by question key).

    Unknown options are dropped, as a browser never sends them; a required question left
    unanswered, or an "on its own" option chosen with others, is a problem.
    """
    answers: dict[str, list[str]] = {}
    problems: dict[str, str] = {}
    for question in assessment.questions:
        chosen = [key for key in dict.fromkeys(form.get(question.key, ())) if question.option(key)]
        if not question.multiple:
            chosen = chosen[:1]
        if chosen:
            answers[question.key] = chosen
        lone = [key for key in chosen if question.option(key).exclusive]  # type: ignore[union-attr]
        if not chosen and question.required:
            problems[question.key] = f"Answer: {question.text}"
        elif lone and len(chosen) > 1:
            label = question.option(lone[0]).label  # type: ignore[union-attr]
            problems[question.key] = f'Choose "{label}" on its own, or only the answers that fit'
    return answers, problems


def _holds(condition: tuple[str, tuple[str, ...]], answers: Answers) -> bool:
    question, wanted = condition
    return any(answer in wanted for answer in answers.get(question, ()))


def _reason(
    assessment: NeedsAssessment, question_key: str, answers: Answers, ruled_out: tuple[str, ...] = ()
) -> Reason:
    question = assessment.question(question_key)
    assert question is not None  # checked when the scheme was loaded
    given = answers.get(question_key, ())
    labels = tuple(option.label for option in question.options if option.key in given)
    return Reason(question.text, labels or ("Not answered",), ruled_out)


def recommend_level(assessment: NeedsAssessment, answers: Answers) -> Recommendation:
    """The first matching rule's level, with the answers that met it and that ruled out higher ones."""
    passed_over: dict[str, list[str]] = {}  # question key -> the levels its answer ruled out
    for rule in assessment.rules:
        failing = next((c for c in rule.when if not _holds(c, answers)), None)
        if failing is None:
            met = [_reason(assessment, key, answers) for key, _wanted in rule.when]
            higher = [
                _reason(assessment, key, answers, others)
                for key, levels in passed_over.items()
                if (others := tuple(level for level in levels if level != rule.level))
            ]
            return Recommendation(rule.level, tuple(met + higher))
        ruled_out = passed_over.setdefault(failing[0], [])
        if rule.level not in ruled_out:
            ruled_out.append(rule.level)
    raise AssertionError("the last rule has no conditions")  # checked when the scheme was loaded


def parse_needs_assessment(data: Any, levels: Sequence[tuple[str, str]]) -> NeedsAssessment:
    """A scheme's ``needs_assessment:`` section, given its levels as (key, name); raises ValueError."""
    questions: list[NeedsQuestion] = []
    for item in listed(data, "questions", "needs_assessment needs a list of questions", may_be_empty=True):
        key = str(item["key"])
        if item.get("options") == LEVEL_OPTIONS:
            options = tuple(NeedsOption(k, name) for k, name in [*levels, (NOT_SURE, "Not sure")])
        else:
            options = tuple(
                NeedsOption(str(o["key"]), str(o["label"]), bool(o.get("on_its_own", False)))
                for o in item["options"]
            )
        if repeated(options) or len(options) < 2:
            raise ValueError(
                f"needs_assessment question {key!r} needs two or more options with different keys"
            )
        questions.append(
            NeedsQuestion(
                key=key,
                text=str(item["text"]),
                hint=str(item.get("hint", "")),
                multiple=item.get("choose", "one") == "several",
                required=bool(item.get("required", True)),
                options=options,
            )
        )
    if repeated(questions):
        raise ValueError("needs_assessment has two questions with the same key")
    assessment = NeedsAssessment(str(data.get("intro", "")), tuple(questions), _rules(data, questions))
    _check_rules(assessment, [key for key, _name in levels])
    return assessment


def _rules(data: dict, questions: list[NeedsQuestion]) -> tuple[LevelRule, ...]:
    rules = []
    for item in data.get("recommend") or ():
        when = item.get("when") or {}
        conditions = tuple(
            (str(question), tuple(str(a) for a in (wanted if isinstance(wanted, list) else [wanted])))
            for question, wanted in when.items()
        )
        rules.append(LevelRule(str(item["level"]), conditions))
    return tuple(rules)


def _check_rules(assessment: NeedsAssessment, level_keys: Sequence[str]) -> None:
    if not assessment.rules or assessment.rules[-1].when:
        raise ValueError(
            "needs_assessment's last 'recommend' rule must have no 'when', so every answer gets a level"
        )
    for rule in assessment.rules:
        if rule.level not in level_keys:
            raise ValueError(
                f"needs_assessment recommends {rule.level!r}, which is not a level of the scheme"
            )
        for question_key, wanted in rule.when:
            question = assessment.question(question_key)
            if question is None:
                raise ValueError(
                    f"needs_assessment rule for {rule.level!r} names no question {question_key!r}"
                )
            unknown = [a for a in wanted if question.option(a) is None]
            if unknown:
                raise ValueError(f"needs_assessment question {question_key!r} has no option {unknown[0]!r}")
