"""A module's insight figures, kept for a few minutes so a page does not recount every learner each view.

Like Moodle's quiz statistics, the figures are worked out at most once per refresh interval and then
read back; only the already-suppressed aggregates are kept, never a row about one person.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import datetime, timedelta

from tilearn.engine import Module
from tilearn.engine.insight import ItemStatistics
from tilearn.extensions import db
from tilearn.models import InsightSnapshot
from tilearn.models.types import utcnow
from tilearn.services.insight import ModuleInsight, QuestionRow, SectionRow
from tilearn.services.sql import upsert

_SECTION_FIELDS = {f.name for f in fields(SectionRow)}


def saved_insight(module: Module, refresh_seconds: int) -> tuple[ModuleInsight, datetime] | None:
    """The module's figures as last worked out, if they are recent and for the module as now published."""
    if refresh_seconds <= 0:
        return None
    saved = db.session.get(InsightSnapshot, module.id)
    if saved is None or saved.content_hash != module.content_hash:
        return None
    if saved.computed_at < utcnow() - timedelta(seconds=refresh_seconds):
        return None
    figures = json.loads(saved.figures)
    if any(set(row) != _SECTION_FIELDS for row in figures["sections"]):
        return None  # kept by a version that counted other measures: count again
    found = ModuleInsight(
        module,
        figures["learners"],
        [SectionRow(**row) for row in figures["sections"]],
        figures["totals"],
        [
            QuestionRow(q["question_id"], q["section_title"], q["prompt"], ItemStatistics(**q["stats"]))
            for q in figures["questions"]
        ],
    )
    return found, saved.computed_at


def keep_insight(found: ModuleInsight) -> datetime:
    """Keep freshly counted figures (the caller's short write transaction commits)."""
    module = found.module
    figures = {
        "learners": found.learners,
        "sections": [asdict(row) for row in found.sections],
        "totals": found.totals,
        "questions": [asdict(q) for q in found.questions],
    }
    now = utcnow()
    upsert(
        InsightSnapshot,
        ("module_id",),
        module_id=module.id,
        content_hash=module.content_hash,
        computed_at=now,
        figures=json.dumps(figures),
    )
    return now
