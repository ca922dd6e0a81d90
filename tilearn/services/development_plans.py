"""Personal development plans: the learner's own, private unless they choose to share it.

Private, a plan is like a reflection: only its writer sees it, and no manager or trainer page,
report, CSV or audit entry says whether it exists (so the learner's own edits, sharing and
unsharing are not audited). Shared, the managers of the learner's team can read it and add what
was agreed; that, and their opening it, are audited. It is in the learner's download, and goes
when they are erased (personal_data.HOLDINGS), so retention lets it go too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, select

from tilearn.database import writes
from tilearn.engine import Library
from tilearn.engine.levels import LevelScheme
from tilearn.extensions import db
from tilearn.models import DevelopmentPlan, Team, TeamManager, User
from tilearn.models.types import utcnow
from tilearn.services.audit import record_event

MAX_TEXT = 5000
#: the learner's own fields, in the order of the form
LEARNER_FIELDS = ("service_remit", "role", "strengths", "areas_to_develop")
AGREED_FIELDS = ("agreed_plan", "agreed_support")
#: how confident the learner feels about an outcome; no number is ever shown as a score
CONFIDENCE = {
    1: "Not confident yet",
    2: "A little confident",
    3: "Fairly confident",
    4: "Confident enough to help others",
}


class PlanError(ValueError):
    """A plan that cannot be saved as written; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class OutcomeToRate:
    """A learning outcome of a module at the plan's level, to rate confidence against."""

    module_id: str
    module_title: str
    text: str


@dataclass(frozen=True)
class SharedPlan:
    """A plan a learner shared with the viewer, with whose it is."""

    plan: DevelopmentPlan
    name: str
    team: str


def plan_for(user_id: int) -> DevelopmentPlan | None:
    """The learner's own plan, or None if they have not started one."""
    return db.session.scalar(select(DevelopmentPlan).where(DevelopmentPlan.user_id == user_id))


def has_a_manager(user_id: int) -> bool:
    """Whether anyone manages the learner's team, so would see the plan if it were shared."""
    query = (
        select(TeamManager.user_id).join(User, User.team_id == TeamManager.team_id).where(User.id == user_id)
    )
    return db.session.scalar(query.limit(1)) is not None


def expected_level(user_id: int) -> str | None:
    """The learner's expected level: their own if set, else their team's."""
    row = db.session.execute(
        select(User.expected_level, Team.expected_level)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.id == user_id)
    ).first()
    return (row[0] or row[1]) if row else None


def outcomes_for(library: Library, scheme: LevelScheme, level_key: str | None) -> list[OutcomeToRate]:
    """The outcomes of every module at this level of the scheme, in the library's order."""
    level = scheme.level(level_key or "")
    if level is None:
        return []
    modules = next((found for lvl, found in library.by_level(scheme) if lvl.key == level.key), [])
    return [OutcomeToRate(m.id, m.title, outcome.text) for m in modules for outcome in m.outcomes]


def ratings(plan: DevelopmentPlan | None) -> dict[tuple[str, str], int]:
    """The plan's confidence ratings by (module id, outcome text)."""
    if plan is None:
        return {}
    return {(r["module_id"], r["outcome"]): int(r["rating"]) for r in json.loads(plan.confidence or "[]")}


def _text(field: str, value: str | None, label: str) -> str | None:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise PlanError(
            field, f"{label} can be {MAX_TEXT:,} characters or fewer. Nothing has been saved yet."
        )
    return value or None


@writes
def save_plan(
    user_id: int,
    fields: Mapping[str, str],
    level: str | None,
    scheme: LevelScheme,
    rated: Mapping[tuple[str, str], int],
) -> DevelopmentPlan:
    """Save the learner's part of their plan and their confidence ratings; not audited (it is theirs)."""
    labels = {
        "service_remit": "Your service's remit",
        "role": "Your role",
        "strengths": "Your strengths",
        "areas_to_develop": "Areas to develop",
    }
    values = {name: _text(name, fields.get(name), labels[name]) for name in LEARNER_FIELDS}
    level = (level or "").strip() or None
    if level is not None and scheme.level(level) is None:
        raise PlanError("level", "Choose one of the levels listed")
    if any(rating not in CONFIDENCE for rating in rated.values()):
        raise PlanError("confidence", "Choose how confident you feel from the answers listed")
    plan = plan_for(user_id)
    now = utcnow()
    if plan is None:
        plan = DevelopmentPlan(user_id=user_id, created_at=now)
        db.session.add(plan)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.level = level
    plan.confidence = json.dumps(
        [{"module_id": module, "outcome": text, "rating": rating} for (module, text), rating in rated.items()]
    )
    plan.updated_at = now
    db.session.flush()
    return plan


@writes
def set_sharing(user_id: int, share: bool) -> DevelopmentPlan | None:
    """Share the plan with the learner's manager, or stop sharing it; not audited (it is theirs)."""
    plan = plan_for(user_id)
    if plan is None:
        return None
    if share and plan.shared_at is None:
        plan.shared_at = utcnow()
    elif not share:
        plan.shared_at = None
    return plan


@writes
def delete_plan(user_id: int) -> None:
    """Remove the learner's plan entirely."""
    db.session.execute(delete(DevelopmentPlan).where(DevelopmentPlan.user_id == user_id))


def _shared_with(viewer_id: int) -> Select[DevelopmentPlan, str, str]:
    return (
        select(DevelopmentPlan, User.name, Team.name)
        .join(User, User.id == DevelopmentPlan.user_id)
        .join(Team, Team.id == User.team_id)
        .join(TeamManager, (TeamManager.team_id == Team.id) & (TeamManager.user_id == viewer_id))
        .where(DevelopmentPlan.shared_at.is_not(None), User.erased_at.is_(None))
    )


def plans_shared_with(viewer_id: int) -> list[SharedPlan]:
    """Plans the learners in the viewer's teams chose to share, by learner name."""
    rows = db.session.execute(_shared_with(viewer_id).order_by(func.lower(User.name), User.id))
    return [SharedPlan(row[0], row[1], row[2]) for row in rows]


def shared_plan(viewer_id: int, learner_id: int) -> SharedPlan | None:
    """The learner's plan if they shared it and the viewer manages their team; else None (→ 404)."""
    row = db.session.execute(_shared_with(viewer_id).where(DevelopmentPlan.user_id == learner_id)).first()
    return SharedPlan(row[0], row[1], row[2]) if row else None


@writes
def record_agreement(
    actor_id: int, learner_id: int, agreed_plan: str, agreed_support: str
) -> DevelopmentPlan:
    """A manager writes down what was agreed with the learner; audited as development_plan.agreed."""
    found = shared_plan(actor_id, learner_id)
    if found is None:
        raise LookupError(f"no plan shared by {learner_id} with {actor_id}")
    plan = found.plan
    plan.agreed_plan = _text("agreed_plan", agreed_plan, "The agreed training and development plan")
    plan.agreed_support = _text("agreed_support", agreed_support, "The agreed support")
    if plan.agreed_plan is None and plan.agreed_support is None:
        raise PlanError("agreed_plan", "Write down the agreed plan, the agreed support, or both")
    plan.agreed_at, plan.agreed_by = utcnow(), actor_id
    record_event(actor_id, "development_plan.agreed", f"user:{learner_id}")
    return plan
