"""Planning who learns what: training-needs assessments and learners' personal development plans."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tilearn.extensions import Model
from tilearn.models.types import UTCDateTime, utcnow


class NeedsAssessment(Model):
    """A manager's or admin's answers to the training-needs questions for a team or one person.

    The questions, answers and reasons are kept as they were shown, so the history stays
    readable after the level scheme changes.
    """

    __tablename__ = "needs_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the team assessed (exactly one of team_id and user_id is set)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    #: the person assessed, when an admin assessed one person's role
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the level scheme's name when it was answered
    scheme: Mapped[str] = mapped_column(String(200))
    #: JSON list of {"key", "question", "answers": [{"key", "label"}]}
    answers: Mapped[str] = mapped_column(Text)
    #: JSON list of {"question", "answers": [labels], "ruled_out": [level names]}
    reasons: Mapped[str] = mapped_column(Text)
    recommended_level: Mapped[str] = mapped_column(String(64))
    #: the manager's own notes, in plain words
    notes: Mapped[str | None] = mapped_column(Text)
    assessed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: when someone accepted it and set the expected level (None: not accepted)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the level set on accepting (the manager may choose another than the one recommended)
    accepted_level: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        about = f"team:{self.team_id}" if self.team_id else f"user:{self.user_id}"
        return f"<NeedsAssessment {self.id} {about} {self.recommended_level}>"


class DevelopmentPlan(Model):
    """A learner's personal development plan: theirs, private unless they choose to share it.

    Shared, their team's managers can read it and add what was agreed. Unshared again, it is
    as private as a reflection.
    """

    __tablename__ = "development_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    service_remit: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(Text)
    #: the level key the learner thinks most relevant to their role
    level: Mapped[str | None] = mapped_column(String(64))
    strengths: Mapped[str | None] = mapped_column(Text)
    areas_to_develop: Mapped[str | None] = mapped_column(Text)
    #: JSON list of {"module_id", "outcome", "rating"} (1 to 4), the outcomes of the plan's level
    confidence: Mapped[str] = mapped_column(Text, default="[]")
    #: written by the manager once shared: the agreed training and development plan
    agreed_plan: Mapped[str | None] = mapped_column(Text)
    #: written by the manager once shared: the agreed support, coaching and supervision plan
    agreed_support: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: when the learner last changed their part
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: when the learner shared it with their manager; None: private
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when a manager recorded it as agreed
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agreed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<DevelopmentPlan {self.id} user={self.user_id} shared={self.shared_at is not None}>"
