"""Trauma-informed service audits: a team's or service's ratings against the audit's criteria, and actions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tilearn.extensions import Model
from tilearn.models.types import UTCDateTime, utcnow


class ServiceAudit(Model):
    """One audit of a team (or, by an admin, a named service) against the trauma-informed criteria.

    The principles and criteria are kept as they were shown, so old audits read the same after
    the framework changes.
    """

    __tablename__ = "service_audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the team audited (exactly one of team_id and service is set)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    #: the service audited, by name, when an admin audited something other than a team
    service: Mapped[str | None] = mapped_column(String(200), index=True)
    #: JSON: the framework's name, intro, principles and criteria when it was audited
    framework: Mapped[str] = mapped_column(Text)
    #: JSON: {criterion key: {"status": red|amber|green, "description", "evidence"}}
    ratings: Mapped[str] = mapped_column(Text)
    #: the audit this one started from (the last one of the same team or service)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("service_audits.id", ondelete="SET NULL"))
    audited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        about = f"team:{self.team_id}" if self.team_id else f"service:{self.service}"
        return f"<ServiceAudit {self.id} {about}>"


class ServiceAuditAction(Model):
    """Something to do after an audit: who owns it, when it is due, and whether it is done."""

    __tablename__ = "service_audit_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("service_audits.id", ondelete="CASCADE"), index=True)
    #: the criterion it is for, or None for the audit as a whole
    criterion: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(Text)
    #: the person or role who will do it, as the manager wrote it
    owner: Mapped[str] = mapped_column(String(200))
    due: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ServiceAuditAction {self.id} audit={self.audit_id} done={self.done_at is not None}>"
