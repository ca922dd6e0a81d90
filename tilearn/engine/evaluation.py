"""Evaluation questionnaires from the level scheme: before a level, straight after it, six months on.

A scheme's ``evaluation:`` section names its answer scales (each a short list of plainly
labelled options) and, for each stage, a few questions answered on one of those scales, with at
most one optional free-text question. Every question may be left unanswered. Pure Python: no
Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tilearn.engine.data_files import repeated

BEFORE = "before"
AFTER = "after"
SIX_MONTHS = "six-months"
#: the stages in the order a learner meets them
STAGES = (BEFORE, AFTER, SIX_MONTHS)
#: the longest free-text answer kept
MAX_FREE_TEXT = 1000


@dataclass(frozen=True)
class ScaleOption:
    """One plainly labelled point on an answer scale."""

    key: str
    label: str


@dataclass(frozen=True)
class EvaluationQuestion:
    """One question: answered on a scale, or (free text) in the learner's own words."""

    key: str
    text: str
    hint: str
    #: the scale's options, in order; empty for the free-text question
    options: tuple[ScaleOption, ...]

    @property
    def free_text(self) -> bool:
        """Whether this is the questionnaire's free-text question."""
        return not self.options

    def option(self, key: str) -> ScaleOption | None:
        """The option with this key, or None."""
        return next((option for option in self.options if option.key == key), None)


@dataclass(frozen=True)
class Questionnaire:
    """The questions for one stage of a level's evaluation."""

    stage: str
    title: str
    intro: str
    questions: tuple[EvaluationQuestion, ...]

    def question(self, key: str) -> EvaluationQuestion | None:
        """The question with this key, or None."""
        return next((question for question in self.questions if question.key == key), None)


@dataclass(frozen=True)
class Evaluation:
    """A scheme's evaluation questionnaires, one per stage, used for every level."""

    questionnaires: tuple[Questionnaire, ...]
    #: months after completing a level that the last questionnaire is due
    follow_up_months: int = 6

    def questionnaire(self, stage: str) -> Questionnaire | None:
        """The questionnaire for this stage, or None."""
        return next((q for q in self.questionnaires if q.stage == stage), None)


def check_answers(questionnaire: Questionnaire, form: Mapping[str, Sequence[str]]) -> tuple[dict, str | None]:
    """Read submitted answers: (answers by question key, a plain-language problem or None).

    Unknown options are dropped, as a browser never sends them. Any question may be left
    unanswered, but a questionnaire with no answer at all is not kept.
    """
    answers: dict[str, str] = {}
    problem = None
    for question in questionnaire.questions:
        given = [value for value in form.get(question.key, ()) if value]
        if not given:
            continue
        if question.free_text:
            text = given[0].strip()
            if len(text) > MAX_FREE_TEXT:
                problem = f"Your comment can be {MAX_FREE_TEXT:,} characters or fewer"
            elif text:
                answers[question.key] = text
        elif question.option(given[0]):
            answers[question.key] = given[0]
    if problem is None and not answers:
        problem = "Answer at least one question, or choose Not now"
    return answers, problem


def parse_evaluation(data: Any) -> Evaluation:
    """A scheme's ``evaluation:`` section; raises ValueError with a plain message."""
    if not isinstance(data, dict) or not isinstance(data.get("scales"), dict):
        raise ValueError("evaluation needs its answer scales")
    scales = {
        str(name): tuple(ScaleOption(str(o["key"]), str(o["label"])) for o in options)
        for name, options in data["scales"].items()
    }
    for name, options in scales.items():
        if len(options) < 2 or repeated(options):
            raise ValueError(f"evaluation scale {name!r} needs two or more options with different keys")
    questionnaires = []
    for stage in STAGES:
        item = (data.get("questionnaires") or {}).get(stage)
        if not isinstance(item, dict):
            raise ValueError(f"evaluation needs a {stage!r} questionnaire")
        questions = []
        for question in item["questions"]:
            scale = question.get("scale")
            if scale is not None and str(scale) not in scales:
                raise ValueError(f"evaluation question {question['key']!r} names no scale {scale!r}")
            questions.append(
                EvaluationQuestion(
                    key=str(question["key"]),
                    text=str(question["text"]),
                    hint=str(question.get("hint", "")),
                    options=scales[str(scale)] if scale is not None else (),
                )
            )
        if repeated(questions):
            raise ValueError(f"evaluation {stage!r} has two questions with the same key")
        if sum(q.free_text for q in questions) > 1:
            raise ValueError(f"evaluation {stage!r} may have one free-text question at most")
        questionnaires.append(
            Questionnaire(stage, str(item["title"]), str(item.get("intro", "")), tuple(questions))
        )
    return Evaluation(tuple(questionnaires), int(data.get("follow_up_months", 6)))
