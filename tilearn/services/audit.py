"""The audit log: admin actions, revocations, imports, and managers opening or exporting learners' records.

Entries never hold passwords, tokens, answers or anything a learner did to look after themselves.
Each entry is also logged as a security event, under its action's name, once it is committed.
"""

from __future__ import annotations

from sqlalchemy import select

from tilearn.database import commit_now, writing
from tilearn.eventlog import log_event_on_commit
from tilearn.extensions import db
from tilearn.models import AuditEvent
from tilearn.models.types import utcnow


def record_event(
    actor_id: int | None,
    action: str,
    subject: str | None = None,
    detail: str | None = None,
    count: int | None = None,
) -> AuditEvent:
    """Add an audit entry to the transaction; the caller's commit writes it and logs it (without detail)."""
    event = AuditEvent(
        actor_id=actor_id, action=action, subject=subject, detail=detail, count=count, at=utcnow()
    )
    db.session.add(event)
    fields: dict[str, object] = {"subject": subject}
    if count is not None:
        fields["count"] = count
    log_event_on_commit(action, actor_id, **fields)
    return event


def recent_events(limit: int = 200, before_id: int | None = None) -> list[AuditEvent]:
    """The newest audit entries first, a page at a time."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(db.session.scalars(query))


def record_view(actor_id: int, action: str, subject: str, detail: str | None = None) -> None:
    """Audit a GET (a page opened, a file downloaded) in a short write transaction of its own.

    Committed at once, on purpose: a GET's page is rendered (or its file streamed) after this,
    and SQLite's write lock must not be held meanwhile; the opening is recorded even if that fails.
    """
    with writing():
        record_event(actor_id, action, subject, detail)
        commit_now()
