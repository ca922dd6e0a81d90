"""Insight for trainers and admins: per module, what learners did, as aggregates over five or more.

A constant number of queries per module, whatever the number of learners; nothing here returns a
row per learner. Section times, retries and item sums are running totals kept as learners act
(``tilearn.services.insight_totals``); suppression and item statistics are in ``tilearn.engine.insight``.
Grounding visits are counted per section from the learners' private records of them (GroundingVisit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import func, select

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
    SectionDeferral,
)
from tilearn.services import insight_totals

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
    """The module's aggregates, suppressed; five queries whatever the number of learners.

    Section times, retries and item sums come from the running totals (services.insight_totals),
    which the caller makes sure are counted for the module as now published.
    """
    learners = db.session.scalar(
        select(func.count()).select_from(ModuleProgress).where(ModuleProgress.module_id == module.id)
    )
    kept = insight_totals.totals(module.id)
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
        "retried": insight_totals.retried(kept),
        "grounding": _per_section(_visited_grounding(module.id)),
    }
    times = insight_totals.section_times(kept)
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
    stats = insight_totals.item_sums(kept) if (learners or 0) >= 5 else {}
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
