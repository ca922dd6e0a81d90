"""Retention: people who left are erased after a set time, and old pauses and grounding visits are let go.

Run nightly by `flask --app tilearn people apply-retention` (docs/operating.md). Erasing is
an admin's erase (erase_person): personal_data.HOLDINGS says what goes and what is kept
anonymised, completion records among the kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select

from tilearn.database import writes
from tilearn.extensions import db
from tilearn.models import GroundingVisit, Pause, User
from tilearn.models.types import utcnow
from tilearn.services.audit import record_event
from tilearn.services.certificates import add_months
from tilearn.services.people import erase_person


@dataclass(frozen=True)
class RetentionResult:
    """What one run let go."""

    erased: int  #: people erased because they left longer ago than the setting
    pauses: int  #: pauses deleted because they were older than the setting
    grounding_visits: int  #: grounding page visits deleted because they were older than the pause setting


@writes
def apply_retention(
    months_after_leaving: int, pause_days: int, now: datetime | None = None
) -> RetentionResult:
    """Erase people who left over `months_after_leaving` ago; delete pauses and visits past `pause_days`.

    0 turns either rule off. Each learner's newest pause is kept, so "return to where you
    paused" still works however long they were away; no grounding visit is needed for that.
    """
    now = now or utcnow()
    erased = 0
    if months_after_leaving > 0:
        left_before = add_months(now, -months_after_leaving)
        leavers = db.session.scalars(
            select(User.id).where(User.erased_at.is_(None), User.disabled_at < left_before).order_by(User.id)
        ).all()
        for user_id in leavers:
            erase_person(None, user_id)  # audited as user.erased, with no person as the actor
        erased = len(leavers)
    pauses = visits = 0
    if pause_days > 0:
        newest = select(func.max(Pause.id)).group_by(Pause.user_id)
        pauses = cast(
            CursorResult[Any],
            db.session.execute(
                delete(Pause).where(
                    Pause.paused_at < now - timedelta(days=pause_days), Pause.id.not_in(newest)
                )
            ),
        ).rowcount
        visits = cast(
            CursorResult[Any],
            db.session.execute(
                delete(GroundingVisit).where(GroundingVisit.visited_at < now - timedelta(days=pause_days))
            ),
        ).rowcount
    # No pause or visit counts in the audit log (nor the event log line it makes): self-care stays out.
    detail = (
        f"erased {erased} who left over {months_after_leaving} months ago;"
        " old pauses and grounding visits let go"
    )
    record_event(None, "retention.applied", None, detail, count=erased)
    return RetentionResult(erased, pauses, visits)
