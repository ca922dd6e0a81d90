"""Training-needs assessments: a manager's (or admin's) answers, the level they recommend, and accepting it.

Every assessment is kept, with its questions, answers and reasons as they were shown, so a team's
history reads the same after the scheme changes. Recording and accepting are audited.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from tilearn.database import writes
from tilearn.engine.levels import LevelScheme
from tilearn.engine.needs import check_answers, recommend_level
from tilearn.extensions import db
from tilearn.models import NeedsAssessment, Team, TeamManager, User
from tilearn.models.types import utcnow
from tilearn.services import people, teams
from tilearn.services.audit import record_event
from tilearn.services.organisation import current_scheme

MAX_NOTES = 5000


class AnswersNeeded(ValueError):
    """Answers that cannot be used: plain-language problems by question key (or "notes")."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


class CannotAccept(ValueError):
    """An assessment that cannot be accepted as asked, with the reason."""


@dataclass(frozen=True)
class AssessmentPage:
    """One assessment, ready to show: its answers and reasons as kept, and whom it is about."""

    assessment: NeedsAssessment
    about: str  #: the team's or the person's name
    answers: list[dict[str, Any]]
    reasons: list[dict[str, Any]]


def team_in_scope(viewer_id: int, see_all: bool, team_id: int) -> Team | None:
    """The team if the viewer may assess it (an admin any team, a manager their own), else None."""
    query = select(Team).where(Team.id == team_id)
    if not see_all:
        query = query.join(TeamManager, TeamManager.team_id == Team.id).where(
            TeamManager.user_id == viewer_id
        )
    return db.session.scalar(query)


def person_to_assess(user_id: int) -> User | None:
    """A person an admin may assess (anyone not erased), or None."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.erased_at is None else None


def _subject(assessment: NeedsAssessment) -> str:
    return f"team:{assessment.team_id}" if assessment.team_id else f"user:{assessment.user_id}"


def _level_name(scheme: LevelScheme, key: str) -> str:
    level = scheme.level(key)
    return level.name if level else key


@writes
def record_assessment(
    actor_id: int,
    form: Mapping[str, Sequence[str]],
    notes: str = "",
    team_id: int | None = None,
    user_id: int | None = None,
) -> NeedsAssessment:
    """Check the answers, keep them with the recommended level and its reasons; audited.

    Raises AnswersNeeded (nothing saved) when a required question is unanswered or notes are too long.
    """
    if (team_id is None) == (user_id is None):
        raise ValueError("an assessment is about one team or one person")
    scheme = current_scheme()
    questions = scheme.needs_assessment
    if questions is None:
        raise LookupError(f"the level scheme {scheme.name!r} has no training-needs questions")
    answers, problems = check_answers(questions, form)
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        problems["notes"] = f"Notes can be {MAX_NOTES:,} characters or fewer"
    if problems:
        raise AnswersNeeded(problems)
    recommendation = recommend_level(questions, answers)
    kept_answers = [
        {
            "key": q.key,
            "question": q.text,
            "answers": [
                {"key": o.key, "label": o.label} for o in q.options if o.key in answers.get(q.key, ())
            ],
        }
        for q in questions.questions
    ]
    kept_reasons = [
        {
            "question": r.question,
            "answers": list(r.answers),
            "ruled_out": [_level_name(scheme, key) for key in r.ruled_out],
        }
        for r in recommendation.reasons
    ]
    assessment = NeedsAssessment(
        team_id=team_id,
        user_id=user_id,
        scheme=scheme.name,
        answers=json.dumps(kept_answers),
        reasons=json.dumps(kept_reasons),
        recommended_level=recommendation.level,
        notes=notes or None,
        assessed_by=actor_id,
        created_at=utcnow(),
    )
    db.session.add(assessment)
    db.session.flush()
    detail = f"assessment:{assessment.id}; recommended: {recommendation.level}"
    record_event(actor_id, "needs_assessment.recorded", _subject(assessment), detail)
    return assessment


@writes
def accept_assessment(actor_id: int, assessment_id: int, level: str) -> NeedsAssessment:
    """Set the team's (or person's) expected level to the chosen level, and mark it accepted; audited."""
    assessment = db.session.get(NeedsAssessment, assessment_id)
    if assessment is None:
        raise LookupError(f"no assessment {assessment_id}")
    if assessment.accepted_at is not None:
        raise CannotAccept(
            "This assessment has already been accepted. Answer the questions again to change it."
        )
    scheme = current_scheme()
    if assessment.scheme != scheme.name:
        raise CannotAccept(
            f"These answers were given under the {assessment.scheme}. "
            f"Answer the questions again under the {scheme.name}."
        )
    if scheme.level(level or "") is None:
        raise CannotAccept("Choose the level to set")
    if assessment.team_id is not None:
        teams.set_expected_level(actor_id, assessment.team_id, level)
    else:
        assert assessment.user_id is not None
        people.set_expected_level(actor_id, assessment.user_id, level)
    assessment.accepted_at, assessment.accepted_by, assessment.accepted_level = utcnow(), actor_id, level
    detail = f"assessment:{assessment.id}; set: {level}; recommended: {assessment.recommended_level}"
    record_event(actor_id, "needs_assessment.accepted", _subject(assessment), detail)
    return assessment


def assessment_page(assessment: NeedsAssessment) -> AssessmentPage:
    """An assessment with its kept answers and reasons, and the name of whom it is about."""
    if assessment.team_id is not None:
        team = db.session.get(Team, assessment.team_id)
        about = team.name if team else ""
    else:
        person = db.session.get(User, assessment.user_id)
        about = person.name if person else ""
    return AssessmentPage(assessment, about, json.loads(assessment.answers), json.loads(assessment.reasons))


def get_assessment(assessment_id: int) -> NeedsAssessment | None:
    """The assessment with this id, or None."""
    return db.session.get(NeedsAssessment, assessment_id)


def history(team_id: int | None = None, user_id: int | None = None) -> list[NeedsAssessment]:
    """A team's (or a person's) assessments, newest first."""
    column = NeedsAssessment.team_id if team_id is not None else NeedsAssessment.user_id
    wanted = team_id if team_id is not None else user_id
    query = select(NeedsAssessment).where(column == wanted).order_by(NeedsAssessment.id.desc())
    return list(db.session.scalars(query))


def latest_for_teams(team_ids: Sequence[int]) -> dict[int, NeedsAssessment]:
    """Each team's newest assessment, by team id (teams never assessed are left out)."""
    if not team_ids:
        return {}
    newest = (
        select(func.max(NeedsAssessment.id))
        .where(NeedsAssessment.team_id.in_(team_ids))
        .group_by(NeedsAssessment.team_id)
    )
    rows = db.session.scalars(select(NeedsAssessment).where(NeedsAssessment.id.in_(newest)))
    return {row.team_id: row for row in rows if row.team_id is not None}


def teams_to_assess(viewer_id: int, see_all: bool) -> list[Team]:
    """The teams the viewer may assess, by name: every team for an admin, their own for a manager."""
    return teams.all_teams() if see_all else teams.teams_managed_by(viewer_id)


def names(user_ids: Sequence[int | None]) -> dict[int, str]:
    """The names of the people who assessed or accepted, by id."""
    return people.names_of(i for i in user_ids if i is not None)
