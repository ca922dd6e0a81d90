"""Everything held about one person, for "download all my data" (their right of access)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_, select

from tilearn.extensions import db
from tilearn.models import (
    AuditEvent,
    CompletionRecord,
    DraftAnswers,
    ModuleProgress,
    Pause,
    QuestionResult,
    QuizAttempt,
    ReflectionEntry,
    SectionDeferral,
    SectionView,
    SignInCounter,
    Team,
    User,
    UserSession,
)


def _rows(model: type, *where: Any, skip: tuple[str, ...] = ("user_id",)) -> list[dict[str, Any]]:
    """Every row of a table for this person, as plain dictionaries."""
    columns = [c.key for c in model.__table__.columns if c.key not in skip]
    return [
        {name: getattr(row, name) for name in columns}
        for row in db.session.scalars(select(model).where(*where))
    ]


def export_my_data(user_id: int) -> dict[str, Any]:
    """A machine-readable copy of every record about the person, their private ones included."""
    user = db.session.get(User, user_id)
    team = db.session.get(Team, user.team_id) if user.team_id else None
    attempts = _rows(QuizAttempt, QuizAttempt.user_id == user_id, skip=("user_id", "attempt_key"))
    for attempt in attempts:
        attempt["answers"] = json.loads(attempt["answers"])
    drafts = _rows(DraftAnswers, DraftAnswers.user_id == user_id)
    for draft in drafts:
        draft["answers"] = json.loads(draft["answers"])
    return {
        "about": "Everything this learning site holds about you. Pauses, skipped sections, reflections and "
        "answers are private to you: managers and trainers never see them.",
        "person": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "roles": sorted(user.roles),
            "team": team.name if team else None,
            "expected_level": user.expected_level,
            "created_at": user.created_at,
            "disabled_at": user.disabled_at,
        },
        "completion_records": _rows(CompletionRecord, CompletionRecord.user_id == user_id),
        "module_progress": _rows(ModuleProgress, ModuleProgress.user_id == user_id),
        "sections_read": _rows(SectionView, SectionView.user_id == user_id),
        "sections_skipped_for_now": _rows(SectionDeferral, SectionDeferral.user_id == user_id),
        "quiz_attempts": attempts,
        "latest_answer_results": _rows(QuestionResult, QuestionResult.user_id == user_id),
        "answers_saved_at_a_pause": drafts,
        "reflections": _rows(ReflectionEntry, ReflectionEntry.user_id == user_id),
        "pauses": _rows(Pause, Pause.user_id == user_id),
        "signed_in_sessions": _rows(
            UserSession, UserSession.user_id == user_id, skip=("user_id", "token_hash")
        ),
        "recent_sign_in_attempts": _rows(
            SignInCounter,
            SignInCounter.scope == "account",
            SignInCounter.key == user.email,
            skip=("scope", "key"),
        ),
        "audit_entries_about_you": _rows(
            AuditEvent, or_(AuditEvent.subject == f"user:{user_id}", AuditEvent.actor_id == user_id)
        ),
    }
