"""Visits to the grounding page: private self-care, counted for trainers only as aggregates.

Never audited (an audit entry would reveal a visit); in the learner's own download, deleted when
they are erased, and let go by retention with their pauses (services/retention.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from tilearn.database import writes
from tilearn.extensions import db
from tilearn.models import GroundingVisit
from tilearn.models.types import utcnow

#: a visit to the same place within this time of the last is the same visit (a reload, a double click)
SAME_VISIT = timedelta(minutes=10)


@writes
def note_visit(
    user_id: int, module_id: str | None, section_id: str | None, now: datetime | None = None
) -> bool:
    """Record that the learner opened grounding from this module and section; False if just recorded."""
    now = now or utcnow()
    recent = db.session.scalar(
        select(GroundingVisit.id)
        .where(
            GroundingVisit.user_id == user_id,
            GroundingVisit.module_id.is_(None)
            if module_id is None
            else GroundingVisit.module_id == module_id,
            GroundingVisit.section_id.is_(None)
            if section_id is None
            else GroundingVisit.section_id == section_id,
            GroundingVisit.visited_at > now - SAME_VISIT,
        )
        .limit(1)
    )
    if recent is not None:
        return False
    db.session.add(
        GroundingVisit(user_id=user_id, module_id=module_id, section_id=section_id, visited_at=now)
    )
    db.session.flush()
    return True
