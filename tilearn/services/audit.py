"""The audit log: administrative actions, revocations, imports, managers opening a learner's record.

Entries never hold passwords, tokens, answers or anything a learner did to look after themselves.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from tilearn.extensions import db
from tilearn.models import AuditEvent
from tilearn.models.types import utcnow

log = logging.getLogger("tilearn.audit")


def record_event(
    actor_id: int | None,
    action: str,
    subject: str | None = None,
    detail: str | None = None,
    count: int | None = None,
) -> AuditEvent:
    """Add an audit entry to the current transaction; the caller's commit writes it with the action."""
    event = AuditEvent(
        actor_id=actor_id, action=action, subject=subject, detail=detail, count=count, at=utcnow()
    )
    db.session.add(event)
    log.info("audit: %s by user %s on %s", action, actor_id, subject)
    return event


def recent_events(limit: int = 200, before_id: int | None = None) -> list[AuditEvent]:
    """The newest audit entries first, a page at a time."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(db.session.scalars(query))


def record_view(actor_id: int, action: str, subject: str) -> None:
    """Audit a page being opened (a GET): end the read transaction first, then write on its own.

    On SQLite a read transaction that later writes can be refused outright when another
    writer got in between; a fresh transaction that starts with the write waits its turn.
    """
    db.session.commit()
    record_event(actor_id, action, subject)
    db.session.commit()
