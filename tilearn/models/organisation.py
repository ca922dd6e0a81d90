"""The organisation: its settings, teams, who manages them, and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from tilearn.extensions import Model
from tilearn.models.types import UTCDateTime, utcnow


class OrganisationSettings(Model):
    """Settings an admin can change on the site (one row). Empty values fall back to config."""

    __tablename__ = "organisation_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    #: JSON list of {"name": ..., "detail": ...}
    support_contacts: Mapped[str | None] = mapped_column(Text)
    #: "west-midlands", "hampshire" or a path to a scheme file
    level_scheme: Mapped[str | None] = mapped_column(String(300))
    #: off: no learner is invited to an evaluation questionnaire, on the site or by e-mail
    invite_to_evaluations: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<OrganisationSettings {self.name!r}>"


class Team(Model):
    """A team of staff, with the level its members are expected to reach."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: a level key of the organisation's scheme (e.g. "informed"); None means no expectation yet
    expected_level: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name!r}>"


class TeamManager(Model):
    """A manager of a team. Removing the row takes their access away on the next request."""

    __tablename__ = "team_managers"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    def __repr__(self) -> str:
        return f"<TeamManager team={self.team_id} user={self.user_id}>"


class AuditEvent(Model):
    """Something an admin or manager did. Never holds passwords, tokens or self-care details."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: who did it (None for the system or a since-erased person)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: e.g. "user.created", "certificate.revoked", "users.imported", "learner.viewed"
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(200))  #: e.g. "user:12", "record:40"
    #: plain words, e.g. the revocation reason or "imported 40 people"
    detail: Mapped[str | None] = mapped_column(Text)
    count: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.subject}>"
