"""Evaluation of each level: inviting learners before, straight after and six months on, and keeping
their answers anonymous.

An answer is stored in evaluation_responses with no person, a random id and only the month; the
learner's team is kept only when it had MIN_GROUP or more members, so a small team cannot stand
for a person. Separately, evaluation_invitations records that the learner answered, declined or
put off a questionnaire, so they are not asked again; nothing joins the two (docs/planning.md,
"Evaluation"). Results come out as counts, and a group of fewer than MIN_GROUP responses gives
no numbers at all. Free-text answers never come out here.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from tilearn.database import writes
from tilearn.engine import Library
from tilearn.engine.evaluation import AFTER, BEFORE, SIX_MONTHS, Evaluation, Questionnaire
from tilearn.engine.levels import Level, LevelScheme
from tilearn.extensions import db
from tilearn.models import CompletionRecord, ModuleProgress, User
from tilearn.models.evaluation import (
    ANSWERED,
    DECLINED,
    INVITED,
    EvaluationInvitation,
    EvaluationOptOut,
    EvaluationResponse,
)

#: the smallest group shown as numbers, and the smallest team whose id a response keeps
MIN_GROUP = 5
#: after "Not now", the questionnaire is not offered again for this many days
NOT_NOW_DAYS = 14
FEWER_THAN = f"fewer than {MIN_GROUP}"


@dataclass(frozen=True)
class Due:
    """A questionnaire waiting for the learner: which level, which stage."""

    level: Level
    stage: str
    questionnaire: Questionnaire


@dataclass(frozen=True)
class QuestionCounts:
    """How many chose each option of one question; ``counts`` is None when fewer than MIN_GROUP answered."""

    key: str
    text: str
    counts: tuple[tuple[str, int], ...] | None


@dataclass(frozen=True)
class EvaluationResults:
    """Counts for one level and stage (and team); everything None when fewer than MIN_GROUP responded."""

    level_key: str
    stage: str
    team_id: int | None
    #: the number of responses, or None when there were fewer than MIN_GROUP
    responses: int | None
    questions: tuple[QuestionCounts, ...]

    @property
    def suppressed(self) -> bool:
        """True when the group is too small to show any number."""
        return self.responses is None


def today_utc() -> date:
    """Today's date in UTC."""
    return datetime.now(UTC).date()


def month_of(day: date) -> str:
    """The coarse period kept with an answer: YYYY-MM."""
    return f"{day:%Y-%m}"


def add_months(day: date, months: int) -> date:
    """The same day some months later (the 28th at most, so every month has it)."""
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, min(day.day, 28))


def _level_dates(user_id: int, library: Library, scheme: LevelScheme) -> dict[str, tuple[bool, date | None]]:
    """Per level key: (started any of its modules, the day the level was complete or None)."""
    started = set(
        db.session.scalars(select(ModuleProgress.module_id).where(ModuleProgress.user_id == user_id))
    )
    issued: dict[str, datetime] = {}
    for module_id, when in db.session.execute(
        select(CompletionRecord.module_id, func.min(CompletionRecord.issued_at))
        .where(CompletionRecord.user_id == user_id, CompletionRecord.revoked_at.is_(None))
        .group_by(CompletionRecord.module_id)
    ):
        issued[module_id] = when if when.tzinfo else when.replace(tzinfo=UTC)
    found = {}
    for level, modules in library.by_level(scheme):
        ids = [module.id for module in modules]
        done = [issued[i] for i in ids if i in issued]
        complete = max(done).date() if ids and len(done) == len(ids) else None
        found[level.key] = (any(i in started or i in issued for i in ids), complete)
    return found


def _invitations(user_id: int, scheme: LevelScheme) -> dict[tuple[str, str], EvaluationInvitation]:
    rows = db.session.scalars(
        select(EvaluationInvitation).where(
            EvaluationInvitation.user_id == user_id, EvaluationInvitation.scheme == scheme.name
        )
    )
    return {(row.level_key, row.stage): row for row in rows}


def expected_level_key(user_id: int) -> str | None:
    """The learner's expected level: their own, else their team's."""
    from tilearn.services.development_plans import expected_level

    return expected_level(user_id)


def invitations_due(
    user_id: int, library: Library, scheme: LevelScheme, today: date | None = None, every_level: bool = False
) -> list[Due]:
    """The questionnaires waiting for the learner, in the scheme's order.

    Before: a level with modules that the learner has not started, only for their expected level
    unless ``every_level`` (a module page offers it for its own level). After: a level complete
    less than the follow-up months ago. Six months: a level complete longer ago. Never one they
    answered or declined, nor one put off with "Not now" until its day comes.
    """
    evaluation = scheme.evaluation
    if evaluation is None:
        return []
    today = today or today_utc()
    dates = _level_dates(user_id, library, scheme)
    dealt = _invitations(user_id, scheme)
    expected = None if every_level else expected_level_key(user_id)
    due = []
    for level, modules in library.by_level(scheme):
        if not modules:
            continue
        started, complete = dates[level.key]
        stage = _stage(evaluation, started, complete, today)
        if stage is None or (stage == BEFORE and not every_level and level.key != expected):
            continue
        row = dealt.get((level.key, stage))
        if row is not None and (
            row.state != INVITED or (row.ask_again_on is not None and row.ask_again_on > today)
        ):
            continue
        questionnaire = evaluation.questionnaire(stage)
        if questionnaire is not None:
            due.append(Due(level, stage, questionnaire))
    return due


def _stage(evaluation: Evaluation, started: bool, complete: date | None, today: date) -> str | None:
    if complete is None:
        return None if started else BEFORE
    return SIX_MONTHS if add_months(complete, evaluation.follow_up_months) <= today else AFTER


def due_one(
    user_id: int, library: Library, scheme: LevelScheme, level_key: str, stage: str, today: date | None = None
) -> Due | None:
    """This questionnaire if it is waiting for the learner, else None."""
    return next(
        (
            due
            for due in invitations_due(user_id, library, scheme, today, every_level=True)
            if due.level.key == level_key and due.stage == stage
        ),
        None,
    )


def _invitation(
    user_id: int, scheme: LevelScheme, level_key: str, stage: str, today: date, coarse: bool = False
) -> EvaluationInvitation:
    """The learner's invitation row, made if new; ``coarse``: made on answering, so dated by month only."""
    row = _invitations(user_id, scheme).get((level_key, stage))
    if coarse:
        today = today.replace(day=1)
    if row is None:
        row = EvaluationInvitation(
            user_id=user_id,
            scheme=scheme.name,
            level_key=level_key,
            stage=stage,
            state=INVITED,
            invited_on=today,
        )
        db.session.add(row)
    return row


def _team_to_keep(user_id: int) -> int | None:
    """The learner's team id, only when the team has MIN_GROUP or more people on the site now."""
    team_id = db.session.scalar(select(User.team_id).where(User.id == user_id))
    if team_id is None:
        return None
    members = db.session.scalar(
        select(func.count()).select_from(User).where(User.team_id == team_id, User.erased_at.is_(None))
    )
    return team_id if (members or 0) >= MIN_GROUP else None


@writes
def record_answer(
    user_id: int,
    scheme: LevelScheme,
    level_key: str,
    stage: str,
    answers: Mapping[str, str],
    today: date | None = None,
) -> None:
    """Keep the answers anonymously, and note (apart from them) that the learner has answered."""
    today = today or today_utc()
    db.session.add(
        EvaluationResponse(
            id=secrets.token_hex(16),
            scheme=scheme.name,
            level_key=level_key,
            stage=stage,
            period=month_of(today),
            team_id=_team_to_keep(user_id),
            answers=json.dumps(dict(answers), sort_keys=True),
        )
    )
    row = _invitation(user_id, scheme, level_key, stage, today, coarse=True)
    row.state, row.dealt_with_in, row.ask_again_on = ANSWERED, month_of(today), None
    db.session.flush()


@writes
def decline(user_id: int, scheme: LevelScheme, level_key: str, stage: str, today: date | None = None) -> None:
    """ "Don't ask again": this questionnaire is never offered to the learner again."""
    today = today or today_utc()
    row = _invitation(user_id, scheme, level_key, stage, today, coarse=True)
    if row.state != ANSWERED:
        row.state, row.dealt_with_in, row.ask_again_on = DECLINED, month_of(today), None
    db.session.flush()


@writes
def not_now(user_id: int, scheme: LevelScheme, level_key: str, stage: str, today: date | None = None) -> None:
    """ "Not now": put the questionnaire off for NOT_NOW_DAYS days."""
    today = today or today_utc()
    row = _invitation(user_id, scheme, level_key, stage, today)
    if row.state == INVITED:
        row.ask_again_on = today + timedelta(days=NOT_NOW_DAYS)
    db.session.flush()


@dataclass(frozen=True)
class Reminder:
    """A six-month questionnaire to e-mail a learner about."""

    user_id: int
    name: str
    email: str
    level: Level
    stage: str = SIX_MONTHS


def reminders_due(library: Library, scheme: LevelScheme, today: date | None = None) -> list[Reminder]:
    """Six-month questionnaires to e-mail once; never to a learner who said stop, nor while switched off."""
    from tilearn.services.organisation import current_settings

    evaluation = scheme.evaluation
    if evaluation is None or not current_settings().invite_to_evaluations:
        return []
    today = today or today_utc()
    # Anyone who could be due finished a module at least the follow-up months ago.
    back = add_months(today, -evaluation.follow_up_months)
    cutoff = datetime(back.year, back.month, back.day, tzinfo=UTC) + timedelta(days=1)
    candidates = db.session.execute(
        select(User.id, User.name, User.email)
        .where(
            User.disabled_at.is_(None),
            User.erased_at.is_(None),
            User.id.not_in(select(EvaluationOptOut.user_id)),
            User.id.in_(
                select(CompletionRecord.user_id).where(
                    CompletionRecord.issued_at < cutoff, CompletionRecord.revoked_at.is_(None)
                )
            ),
        )
        .order_by(User.id)
    ).all()
    found = []
    for user_id, name, email in candidates:
        emailed = {key for key, row in _invitations(user_id, scheme).items() if row.emailed_on is not None}
        for due in invitations_due(user_id, library, scheme, today):
            if due.stage == SIX_MONTHS and (due.level.key, SIX_MONTHS) not in emailed:
                found.append(Reminder(user_id, name, email, due.level))
    return found


@writes
def mark_emailed(user_id: int, level_key: str, scheme: LevelScheme, today: date | None = None) -> None:
    """Note that the six-month invitation went by e-mail, so it goes once."""
    today = today or today_utc()
    _invitation(user_id, scheme, level_key, SIX_MONTHS, today).emailed_on = today
    db.session.flush()


def evaluation_results(
    level_key: str, stage: str, team_id: int | None = None, scheme: LevelScheme | None = None
) -> EvaluationResults:
    """Counts per question and answer for a level's questionnaire, all teams or one.

    A group of fewer than MIN_GROUP responses gives no numbers (``responses`` None and every
    count None); so does a question fewer than MIN_GROUP of them answered. Free text is never counted
    or returned.
    """
    from tilearn.services.organisation import current_scheme

    scheme = scheme or current_scheme()
    questionnaire = scheme.evaluation.questionnaire(stage) if scheme.evaluation else None
    query = select(EvaluationResponse.answers).where(
        EvaluationResponse.scheme == scheme.name,
        EvaluationResponse.level_key == level_key,
        EvaluationResponse.stage == stage,
    )
    if team_id is not None:
        query = query.where(EvaluationResponse.team_id == team_id)
    rows = [json.loads(text) for text in db.session.scalars(query)]
    scaled = [q for q in questionnaire.questions if not q.free_text] if questionnaire else []
    small = len(rows) < MIN_GROUP
    questions = []
    for question in scaled:
        given = [row[question.key] for row in rows if question.option(row.get(question.key, ""))]
        counts = None
        if not small and len(given) >= MIN_GROUP:
            counts = tuple((option.label, given.count(option.key)) for option in question.options)
        questions.append(QuestionCounts(question.key, question.text, counts))
    return EvaluationResults(level_key, stage, team_id, None if small else len(rows), tuple(questions))


__all__ = [
    "AFTER",
    "BEFORE",
    "FEWER_THAN",
    "MIN_GROUP",
    "SIX_MONTHS",
    "Due",
    "EvaluationResults",
    "QuestionCounts",
    "Reminder",
    "decline",
    "due_one",
    "evaluation_results",
    "invitations_due",
    "mark_emailed",
    "not_now",
    "record_answer",
    "reminders_due",
]
