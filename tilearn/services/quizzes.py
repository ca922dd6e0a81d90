"""Quiz answers, marked on the server. Individual answers are private to the learner."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select

from tilearn import signals
from tilearn.database import writes
from tilearn.engine import Module, Section
from tilearn.extensions import db
from tilearn.models import DraftAnswers, QuestionResult, QuizAttempt
from tilearn.models.types import utcnow
from tilearn.services.progress import touch_progress
from tilearn.services.sql import insert_ignore, upsert

log = logging.getLogger("tilearn.quizzes")


@dataclass(frozen=True)
class AttemptOutcome:
    """The attempt that counts for a submission, and whether this request recorded it."""

    attempt: QuizAttempt
    recorded: bool


def clean_answers(section: Section, form: Mapping[str, list[str]]) -> dict[str, list[int]]:
    """Each of this section's questions reads its own answer from the form; everything else is ignored."""
    answers: dict[str, list[int]] = {}
    for question in section.questions:
        answer = question.read_answer(lambda name: list(form.get(name, [])))
        if answer:
            answers[question.id] = list(answer)
    return answers


@writes
def submit_answers(
    user_id: int, module: Module, section: Section, answers: dict[str, list[int]], attempt_key: str
) -> AttemptOutcome:
    """Record one attempt at a section's questions; the same key submitted twice counts once."""
    recorded = insert_ignore(
        QuizAttempt,
        user_id=user_id,
        module_id=module.id,
        section_id=section.id,
        attempt_key=attempt_key[:64],
        answers=json.dumps(answers),
        submitted_at=utcnow(),
    )
    attempt = db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.attempt_key == attempt_key[:64])
    ).one()
    if recorded:
        for question in section.questions:
            if question.id in answers:
                upsert(
                    QuestionResult,
                    ("user_id", "module_id", "question_id"),
                    user_id=user_id,
                    module_id=module.id,
                    question_id=question.id,
                    correct=question.is_correct(answers[question.id]),
                    answered_at=utcnow(),
                )
        db.session.execute(
            delete(DraftAnswers).where(
                DraftAnswers.user_id == user_id,
                DraftAnswers.module_id == module.id,
                DraftAnswers.section_id == section.id,
            )
        )
        touch_progress(user_id, module, -1, section.id)
    if recorded:
        signals.answers_submitted.send(
            signals.sender(),
            user_id=user_id,
            module_id=module.id,
            section_id=section.id,
            attempt_id=attempt.id,
        )
    return AttemptOutcome(attempt, recorded)


def latest_answers(user_id: int, module_id: str, section_id: str) -> dict[str, list[int]] | None:
    """The learner's most recent checked answers for a section, or None."""
    attempt = db.session.scalar(
        select(QuizAttempt)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.module_id == module_id,
            QuizAttempt.section_id == section_id,
        )
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())
        .limit(1)
    )
    return json.loads(attempt.answers) if attempt else None


def scored_questions(module: Module) -> set[str]:
    """The questions that count towards the pass mark: those in required sections.

    Questions in an optional section are practice (they still get feedback); otherwise a
    learner who chose to skip that section could never complete the module.
    """
    return {q.id for section in module.sections if section.required for q in section.questions}


def module_score(user_id: int, module: Module) -> int:
    """Percentage of the scored questions whose latest answer was right (100 when none are scored)."""
    questions = scored_questions(module)
    if not questions:
        return 100
    right = set(
        db.session.scalars(
            select(QuestionResult.question_id).where(
                QuestionResult.user_id == user_id,
                QuestionResult.module_id == module.id,
                QuestionResult.correct.is_(True),
            )
        )
    )
    return round(100 * len(right & questions) / len(questions))
