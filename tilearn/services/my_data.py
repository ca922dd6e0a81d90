"""Everything held about one person, for "download all my data" (their right of access)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from tilearn.extensions import db
from tilearn.models import Team, User
from tilearn.services.personal_data import HOLDINGS, PERSON, Holding


def _rows(holding: Holding, user: User) -> list[dict[str, Any]]:
    """Every row of a holding about this person, as plain dictionaries."""
    columns = [c.key for c in holding.model.__table__.columns if c.key not in holding.hide]
    rows: list[dict[str, Any]] = []
    for row in db.session.scalars(select(holding.model).where(holding.about(user))):
        values = {name: getattr(row, name) for name in columns}
        rows.append(values | {name: json.loads(values[name]) for name in holding.parsed})
    return rows


def export_my_data(user_id: int) -> dict[str, Any]:
    """A machine-readable copy of every record about the person, their private ones included."""
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no person {user_id}")
    team = db.session.get(Team, user.team_id) if user.team_id else None
    data: dict[str, Any] = {
        "about": "Everything this learning site holds about you. Pauses, visits to the grounding page, "
        "skipped sections, reflections and answers are private to you: managers and trainers never see "
        "them.",
        PERSON: {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "roles": sorted(user.roles),
            "team": team.name if team else None,
            "expected_level": user.expected_level,
            "created_at": user.created_at,
            "disabled_at": user.disabled_at,
        },
    }
    for holding in HOLDINGS:
        if holding.export is not None and holding.export != PERSON:
            data[holding.export] = _rows(holding, user)
    return data
