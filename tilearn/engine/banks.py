"""Question banks: which of a section's questions one attempt shows (``## Title {#id draw=N}``)."""

from __future__ import annotations

import hashlib

from tilearn.engine.spec import Question, Section


def draw_questions(section: Section, seed: str, attempt: int) -> tuple[Question, ...]:
    """The questions attempt number ``attempt`` (0 first) shows, in the order they are written.

    The same seed and attempt always give the same questions, so a reload (or a form sent without
    JavaScript) shows the same items. The bank is shuffled once per seed and each attempt takes the
    next N items round it, so a retry shows questions not yet seen for as long as the bank has them.
    """
    questions = section.questions
    shown = section.shown_per_attempt
    if shown >= len(questions):
        return questions
    order = sorted(questions, key=lambda q: hashlib.sha256(f"{seed}|{q.id}".encode()).hexdigest())
    start = (max(attempt, 0) * shown) % len(order)
    picked = {order[(start + i) % len(order)].id for i in range(shown)}
    return tuple(q for q in questions if q.id in picked)


def fingerprints(questions: tuple[Question, ...] | list[Question]) -> dict[str, str]:
    """{question id: content fingerprint}, as saved with a learner's answers."""
    return {q.id: q.fingerprint for q in questions}


def unchanged_answers(
    section: Section, answers: dict[str, list[int]], saved: dict[str, str] | None
) -> dict[str, list[int]]:
    """The saved answers whose question is still in the section and worded as it was when answered."""
    saved = saved or {}
    return {
        q.id: answers[q.id] for q in section.questions if q.id in answers and saved.get(q.id) == q.fingerprint
    }
