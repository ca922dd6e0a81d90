"""Evaluation: anonymous questionnaire answers, and, apart from them, who has dealt with which invitation.

The two tables share nothing a join could use: a response has a random id, no person, and only
the month it was given; an invitation has the person and the month they dealt with it, but no
reference to any response (docs/planning.md, "Evaluation").
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tilearn.extensions import Model

INVITED = "invited"
ANSWERED = "answered"
DECLINED = "declined"


class EvaluationResponse(Model):
    """One anonymous set of answers to a level's questionnaire. Deliberately names nobody."""

    __tablename__ = "evaluation_responses"
    __table_args__ = (Index("ix_evaluation_responses_level_stage", "level_key", "stage", "team_id"),)

    #: random, so the order of responses cannot be lined up with the order of invitations
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: the level scheme's name when answered
    scheme: Mapped[str] = mapped_column(String(200))
    level_key: Mapped[str] = mapped_column(String(64))
    #: before, after or six-months
    stage: Mapped[str] = mapped_column(String(16))
    #: the month answered, YYYY-MM: never the day or time
    period: Mapped[str] = mapped_column(String(7))
    #: the learner's team, only when it had five or more members when they answered
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    #: JSON {question key: option key, or the free text}
    answers: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<EvaluationResponse {self.level_key} {self.stage} {self.period}>"


class EvaluationInvitation(Model):
    """That a learner was invited to a questionnaire and whether they dealt with it; never their answers."""

    __tablename__ = "evaluation_invitations"
    __table_args__ = (UniqueConstraint("user_id", "scheme", "level_key", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(200))
    level_key: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(16))
    #: invited, answered or declined ("Don't ask again")
    state: Mapped[str] = mapped_column(String(16), default=INVITED)
    #: the day they were first invited by e-mail or chose "Not now"; only the month's first day when
    #: the row was made on answering or declining, so it is no finer than the response's month
    invited_on: Mapped[date] = mapped_column(Date)
    #: after "Not now": not shown again before this day
    ask_again_on: Mapped[date | None] = mapped_column(Date)
    #: the day the e-mail invitation went, so it goes once
    emailed_on: Mapped[date | None] = mapped_column(Date)
    #: the month (YYYY-MM) they answered or declined: as coarse as the response's own period
    dealt_with_in: Mapped[str | None] = mapped_column(String(7))

    def __repr__(self) -> str:
        return f"<EvaluationInvitation user={self.user_id} {self.level_key} {self.stage} {self.state}>"


class EvaluationOptOut(Model):
    """A learner's "Stop asking me about evaluations": while it stands, no invitation reaches them.

    Their own choice, in their data download and erased with them; no manager or trainer page reads it.
    """

    __tablename__ = "evaluation_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: the day they asked not to be invited; "Ask me about evaluations again" deletes the row
    stopped_on: Mapped[date] = mapped_column(Date)

    def __repr__(self) -> str:
        return f"<EvaluationOptOut user={self.user_id}>"
