"""Quiz answers, marked on the server. Individual answers are private to the learner."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import case, delete, func, select

from tilearn import signals
from tilearn.database import writes
from tilearn.engine import Module, Question, Section
from tilearn.engine.banks import draw_questions, fingerprints, unchanged_answers
from tilearn.extensions import db
from tilearn.models import DraftAnswers, ModuleProgress, QuestionResult, QuizAttempt
from tilearn.models.types import utcnow
from tilearn.services import insight_totals
from tilearn.services.progress import SectionPageState, touch_progress
from tilearn.services.sql import insert_for, insert_ignore

log = logging.getLogger("tilearn.quizzes")


@dataclass(frozen=True)
class AttemptOutcome:
    """The attempt that counts for a submission, and whether this request recorded it."""

    attempt: QuizAttempt
    recorded: bool


@dataclass(frozen=True)
class QuizView:
    """Which of a section's questions the learner's page shows, and which of their answers with them."""

    shown: tuple[Question, ...]
    #: answers already checked, shown with their feedback (unchanged questions only); None: not checked
    checked: dict[str, list[int]] | None
    #: answers saved by a pause and not yet checked
    draft: dict[str, list[int]]
    #: the attempt number the page's form sends back, so the same questions are marked
    attempt: int
    #: a question bank's checked attempt: a new try draws other questions instead of changing these
    locked: bool = False
    #: the ids of the section's questions not on this page (a bank's undrawn items)
    hidden: frozenset[str] = frozenset()


def bank_seed(user_id: int, module: Module, section: Section, cycle: int) -> str:
    """What a learner's draws from a section's bank are made from: the same seed, the same questions."""
    return f"{user_id}|{module.id}|{section.id}|{cycle}"


def quiz_view(
    user_id: int, module: Module, section: Section, mine: SectionPageState, retry: bool
) -> QuizView:
    """The questions and answers a section page shows; a refresher or a rewritten question starts empty.

    Answers are put back only for the pass through the module they were given in (a refresher starts
    with none) and only for questions worded as they were then (see Question.fingerprint).
    """
    checked = None
    if mine.checked is not None and any(
        mine.checked_questions.get(q.id) == q.fingerprint for q in section.questions
    ):
        checked = unchanged_answers(section, mine.checked, mine.checked_questions)
    draft = unchanged_answers(section, mine.draft, mine.draft_questions)
    bank = section.shown_per_attempt < len(section.questions)
    if bank and checked is not None and not draft and not retry:
        shown = tuple(q for q in section.questions if mine.checked_questions.get(q.id) == q.fingerprint)
        return QuizView(shown, checked, {}, mine.attempts, True, _others(section, shown))
    shown = draw_questions(section, bank_seed(user_id, module, section, mine.cycle), mine.attempts)
    return QuizView(shown, None if bank else checked, draft, mine.attempts, False, _others(section, shown))


def _others(section: Section, shown: tuple[Question, ...]) -> frozenset[str]:
    return frozenset(q.id for q in section.questions) - {q.id for q in shown}


def questions_sent(
    user_id: int, module: Module, section: Section, attempt: str | None
) -> tuple[Question, ...]:
    """The questions a submitted form showed: the draw for the attempt number it carries (or the next one)."""
    if section.shown_per_attempt >= len(section.questions):
        return section.questions
    cycle = current_cycle(user_id, module.id)
    made = attempts_made(user_id, module.id, section.id, cycle)
    number = min(int(attempt), made) if attempt and attempt.isdigit() else made
    return draw_questions(section, bank_seed(user_id, module, section, cycle), number)


def current_cycle(user_id: int, module_id: str) -> int:
    """Which pass through the module the learner is on (1 before they start)."""
    cycle = db.session.scalar(
        select(ModuleProgress.cycle).where(
            ModuleProgress.user_id == user_id, ModuleProgress.module_id == module_id
        )
    )
    return cycle or 1


def attempts_made(user_id: int, module_id: str, section_id: str, cycle: int) -> int:
    """How many times the learner has checked this section's answers in this pass through the module."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(QuizAttempt)
            .where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.module_id == module_id,
                QuizAttempt.section_id == section_id,
                QuizAttempt.cycle == cycle,
            )
        )
        or 0
    )


def clean_answers(
    section: Section, form: Mapping[str, list[str]], questions: tuple[Question, ...] | None = None
) -> dict[str, list[int]]:
    """Each question shown (default: all) reads its own answer from the form; the rest is ignored."""
    answers: dict[str, list[int]] = {}
    for question in section.questions if questions is None else questions:
        answer = question.read_answer(lambda name: list(form.get(name, [])))
        if answer:
            answers[question.id] = list(answer)
    return answers


@writes
def submit_answers(
    user_id: int,
    module: Module,
    section: Section,
    answers: dict[str, list[int]],
    attempt_key: str,
    shown: tuple[Question, ...] | None = None,
) -> AttemptOutcome:
    """Record one attempt at the questions shown (default: all the section's); the same key counts once.

    The attempt keeps which questions were shown, as they were worded, and the answers to them.
    """
    shown = section.questions if shown is None else shown
    answers = {q.id: answers[q.id] for q in shown if q.id in answers}
    recorded = insert_ignore(
        QuizAttempt,
        user_id=user_id,
        module_id=module.id,
        section_id=section.id,
        attempt_key=attempt_key[:64],
        answers=json.dumps(answers),
        questions=json.dumps(fingerprints(shown)),
        cycle=current_cycle(user_id, module.id),
        submitted_at=utcnow(),
    )
    attempt = db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.attempt_key == attempt_key[:64])
    ).one()
    if recorded:
        for question in shown:
            if question.id in answers:
                _record_result(user_id, module.id, question, question.is_correct(answers[question.id]))
        db.session.execute(
            delete(DraftAnswers).where(
                DraftAnswers.user_id == user_id,
                DraftAnswers.module_id == module.id,
                DraftAnswers.section_id == section.id,
            )
        )
        touch_progress(user_id, module, -1, section.id)
        insight_totals.learner_acted(user_id, module, ("retried", "right"))
    if recorded:
        signals.answers_submitted.send(
            signals.sender(),
            user_id=user_id,
            module_id=module.id,
            section_id=section.id,
            attempt_id=attempt.id,
        )
    return AttemptOutcome(attempt, recorded)


def _record_result(user_id: int, module_id: str, question: Question, correct: bool) -> None:
    """Keep the learner's latest answer; the first answer to the question as now worded stays as it was."""
    statement = insert_for(QuestionResult).values(
        user_id=user_id,
        module_id=module_id,
        question_id=question.id,
        correct=correct,
        fingerprint=question.fingerprint,
        first_correct=correct,
        answered_at=utcnow(),
    )
    same = (
        QuestionResult.fingerprint == statement.excluded.fingerprint
    ) & QuestionResult.first_correct.isnot(None)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "module_id", "question_id"],
            set_={
                "correct": statement.excluded.correct,
                "fingerprint": statement.excluded.fingerprint,
                "answered_at": statement.excluded.answered_at,
                "first_correct": case(
                    (same, QuestionResult.first_correct), else_=statement.excluded.first_correct
                ),
            },
        )
    )


def scored_questions(module: Module) -> set[str]:
    """The questions that count towards the pass mark: those in required sections.

    Questions in an optional section are practice (they still get feedback); otherwise a
    learner who chose to skip that section could never complete the module.
    """
    return {q.id for section in module.sections if section.required for q in section.questions}


def module_score(user_id: int, module: Module) -> int:
    """Percentage right of the questions one pass shows in required sections (100 when none are scored).

    A section shows all its questions, each counted by the learner's latest answer to it; a question
    bank (``draw=N``) counts the N questions of the learner's latest attempt at it. Only answers to
    questions worded as they are now count.
    """
    sections = [s for s in module.sections if s.required and s.questions]
    total = sum(s.shown_per_attempt for s in sections)
    if not total:
        return 100
    right_now = dict(
        db.session.execute(
            select(QuestionResult.question_id, QuestionResult.fingerprint).where(
                QuestionResult.user_id == user_id,
                QuestionResult.module_id == module.id,
                QuestionResult.correct.is_(True),
            )
        ).all()
    )
    banks = [s for s in sections if s.shown_per_attempt < len(s.questions)]
    latest = latest_attempts(user_id, module, [s.id for s in banks]) if banks else {}
    right = 0
    for section in sections:
        if section in banks:
            answers, shown = latest.get(section.id, ({}, {}))
            right += sum(
                1
                for q in section.questions
                if q.id in answers and shown.get(q.id) == q.fingerprint and q.is_correct(answers[q.id])
            )
        else:
            right += sum(1 for q in section.questions if right_now.get(q.id) == q.fingerprint)
    return round(100 * right / total)


def latest_attempts(
    user_id: int, module: Module, section_ids: list[str]
) -> dict[str, tuple[dict[str, list[int]], dict[str, str]]]:
    """Per section, the answers and the questions shown in the learner's latest attempt of this pass."""
    cycle = current_cycle(user_id, module.id)
    rows = db.session.execute(
        select(QuizAttempt.section_id, QuizAttempt.answers, QuizAttempt.questions)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.module_id == module.id,
            QuizAttempt.section_id.in_(section_ids),
            QuizAttempt.cycle == cycle,
        )
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
    ).all()
    return {
        section_id: (json.loads(answers), json.loads(shown or "{}")) for section_id, answers, shown in rows
    }
