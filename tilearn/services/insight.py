"""Insight for trainers and admins: per module, what learners did, as aggregates over five or more.

A constant number of GROUP BY queries per module, whatever the number of learners; nothing here
returns a row per learner. Suppression and item statistics are in ``tilearn.engine.insight``.
Grounding visits are counted per section from the learners' private records of them (GroundingVisit).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import Integer, cast, func, select, tuple_

from tilearn.engine import Module
from tilearn.engine.insight import (
    ItemStatistics,
    ItemSums,
    item_statistics,
    median_minutes,
    shown,
    suppress_table,
)
from tilearn.extensions import db
from tilearn.models import (
    GroundingVisit,
    ModuleProgress,
    Pause,
    QuestionResult,
    QuizAttempt,
    SectionDeferral,
    SectionView,
)

#: the section table's measures, in column order
MEASURES = ("paused", "deferred", "retried", "grounding")


@dataclass(frozen=True)
class SectionRow:
    """One section's aggregates; None marks a figure hidden to protect a small group."""

    section_id: str
    title: str
    paused: int | None
    deferred: int | None
    retried: int | None
    #: learners who went to the grounding page from the section (a pause, or the menu's "Take a pause")
    grounding: int | None
    median_minutes: int | None
    #: whether the section offers "skip for now" (a content note) and a retry (questions)
    can_skip: bool
    can_retry: bool


@dataclass(frozen=True)
class QuestionRow:
    """One question's item analysis."""

    question_id: str
    section_title: str
    prompt: str
    stats: ItemStatistics


@dataclass(frozen=True)
class ModuleInsight:
    """Everything the insight page and its CSV show for one module."""

    module: Module
    #: learners who started the module, None under five
    learners: int | None
    sections: list[SectionRow]
    #: the section table's column totals (sums of its cells), None where hidden
    totals: dict[str, int | None]
    questions: list[QuestionRow]


def module_insight(module: Module) -> ModuleInsight:
    """The module's aggregates, suppressed; seven queries whatever the number of learners."""
    learners = db.session.scalar(
        select(func.count()).select_from(ModuleProgress).where(ModuleProgress.module_id == module.id)
    )
    counts = {
        "paused": _per_section(
            select(Pause.section_id, func.count(func.distinct(Pause.user_id)))
            .where(Pause.module_id == module.id, Pause.section_id.isnot(None))
            .group_by(Pause.section_id)
        ),
        "deferred": _per_section(
            select(SectionDeferral.section_id, func.count())
            .where(SectionDeferral.module_id == module.id)
            .group_by(SectionDeferral.section_id)
        ),
        "retried": _per_section(_retried(module.id)),
        "grounding": _per_section(_visited_grounding(module.id)),
    }
    times = _time_histograms(module.id)
    sections = module.sections
    if (learners or 0) < 5:
        # Too small a group: nothing about it is shown, so nothing about it can change the page.
        counts = {name: {} for name in MEASURES}
        times = {}
    # A section without a content note offers no "skip for now", one without questions no retry.
    fixed = [[False, s.note is None, not s.questions, False] for s in sections]
    table = suppress_table([[counts[name].get(s.id, 0) for name in MEASURES] for s in sections], fixed)
    rows = [
        SectionRow(
            s.id,
            s.title,
            table.cells[i][0],
            table.cells[i][1],
            table.cells[i][2],
            table.cells[i][3],
            median_minutes(times.get(s.id, {})),
            s.note is not None,
            bool(s.questions),
        )
        for i, s in enumerate(sections)
    ]
    totals = dict(zip(MEASURES, table.totals, strict=True))
    stats = _item_sums(module) if (learners or 0) >= 5 else {}
    questions = [
        QuestionRow(
            q.id,
            s.title,
            Markup(q.prompt_html).striptags(),
            item_statistics(stats.get(q.id, ItemSums(0, 0, 0, 0, 0))),
        )
        for s in sections
        for q in s.questions
    ]
    return ModuleInsight(module, shown(learners or 0), rows, totals, questions)


def _visited_grounding(module_id: str) -> Any:
    """Learners who went to the grounding page from each section, once each however often."""
    return (
        select(GroundingVisit.section_id, func.count(func.distinct(GroundingVisit.user_id)))
        .where(GroundingVisit.module_id == module_id, GroundingVisit.section_id.isnot(None))
        .group_by(GroundingVisit.section_id)
    )


def _per_section(query: Any) -> dict[str, int]:
    rows: list[Any] = list(db.session.execute(query).all())
    return {section_id: count for section_id, count in rows}


def _retried(module_id: str) -> Any:
    """Learners who checked a section's answers more than once in one pass through the module."""
    tries = (
        select(QuizAttempt.user_id, QuizAttempt.section_id)
        .where(QuizAttempt.module_id == module_id)
        .group_by(QuizAttempt.user_id, QuizAttempt.section_id, QuizAttempt.cycle)
        .having(func.count() > 1)
        .subquery()
    )
    return select(tries.c.section_id, func.count(func.distinct(tries.c.user_id))).group_by(tries.c.section_id)


def _seconds_between(later: Any, earlier: Any) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400


def _time_histograms(module_id: str) -> dict[str, dict[int, int]]:
    """Per section, {whole minutes: learners}, from the previous section (or the start) to finishing it.

    A learner's time for a section runs from the end of the section they finished just before it
    (or from starting the module) to reading this one to the end, so breaks count too; the median
    keeps a few long breaks from moving it much.
    """
    previous = func.lag(SectionView.seen_at).over(
        partition_by=SectionView.user_id, order_by=SectionView.seen_at
    )
    ordered = (
        select(
            SectionView.section_id.label("section_id"),
            SectionView.seen_at.label("seen_at"),
            func.coalesce(previous, ModuleProgress.started_at).label("since"),
        )
        .join(
            ModuleProgress,
            (ModuleProgress.user_id == SectionView.user_id)
            & (ModuleProgress.module_id == SectionView.module_id),
        )
        .where(SectionView.module_id == module_id)
        .subquery()
    )
    minutes = cast(func.round(_seconds_between(ordered.c.seen_at, ordered.c.since) / 60.0), Integer)
    query = select(ordered.c.section_id, minutes.label("minutes"), func.count()).group_by(
        ordered.c.section_id, minutes
    )
    found: dict[str, dict[int, int]] = defaultdict(dict)
    rows: list[Any] = list(db.session.execute(query).all())
    for section_id, whole, count in rows:
        minute = max(int(whole or 0), 0)  # a clock step backwards reads as no time at all
        found[section_id][minute] = found[section_id].get(minute, 0) + count
    return found


def _item_sums(module: Module) -> dict[str, ItemSums]:
    """Per question, the sums item_statistics needs, over first answers to the questions as now worded."""
    current = [(q.id, q.fingerprint) for s in module.sections for q in s.questions]
    if not current:
        return {}
    right = func.cast(QuestionResult.first_correct, Integer)
    firsts = (
        select(
            QuestionResult.user_id.label("user_id"),
            QuestionResult.question_id.label("question_id"),
            right.label("x"),
        )
        .where(
            QuestionResult.module_id == module.id,
            QuestionResult.first_correct.isnot(None),
            tuple_(QuestionResult.question_id, QuestionResult.fingerprint).in_(current),
        )
        .cte("firsts")
    )
    totals = (
        select(firsts.c.user_id, func.sum(firsts.c.x).label("t")).group_by(firsts.c.user_id).cte("totals")
    )
    query = (
        select(
            firsts.c.question_id,
            func.count(),
            func.sum(firsts.c.x),
            func.sum(totals.c.t),
            func.sum(totals.c.t * totals.c.t),
            func.sum(firsts.c.x * totals.c.t),
        )
        .join(totals, totals.c.user_id == firsts.c.user_id)
        .group_by(firsts.c.question_id)
    )
    rows: list[Any] = list(db.session.execute(query).all())
    return {question_id: ItemSums(*(int(v or 0) for v in values)) for question_id, *values in rows}
