"""Trauma-informed service audits: recording and changing them, their actions, what moved, and history.

A manager audits their own teams; an admin any team, or a service by name. A re-audit starts from
the last audit of the same team or service, and its actions still open carry over. Creating,
changing and exporting are audited.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from tilearn.database import writes
from tilearn.engine.service_audit import (
    AuditFramework,
    Move,
    Ratings,
    check_ratings,
    framework_from_data,
    rag_counts,
    ratings_from_data,
    ratings_to_data,
    what_moved,
)
from tilearn.extensions import db
from tilearn.models import ServiceAudit, ServiceAuditAction, Team
from tilearn.models.types import utcnow
from tilearn.services import people
from tilearn.services.audit import record_event
from tilearn.services.needs_assessment import team_in_scope, teams_to_assess

MAX_SERVICE_NAME, MAX_ACTION, MAX_OWNER = 200, 2000, 200

__all__ = ["team_in_scope", "teams_to_assess"]  # the same scope as training needs: one place


class FormProblems(ValueError):
    """A form that cannot be used: plain-language problems by field name (nothing saved)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def subject(audit: ServiceAudit) -> str:
    """The audit log's subject for an audit: its team or its service."""
    return f"team:{audit.team_id}" if audit.team_id else f"service:{audit.service}"


def audit_in_scope(viewer_id: int, see_all: bool, audit_id: int) -> ServiceAudit | None:
    """The audit if the viewer may see it (an admin any, a manager their teams'), else None."""
    audit = db.session.get(ServiceAudit, audit_id)
    if audit is None or see_all:
        return audit
    if audit.team_id is None or team_in_scope(viewer_id, False, audit.team_id) is None:
        return None
    return audit


def latest(team_id: int | None = None, service: str | None = None) -> ServiceAudit | None:
    """The newest audit of a team or a named service, or None."""
    column = ServiceAudit.team_id if team_id is not None else ServiceAudit.service
    wanted = team_id if team_id is not None else service
    return db.session.scalar(
        select(ServiceAudit).where(column == wanted).order_by(ServiceAudit.id.desc()).limit(1)
    )


def history(audit: ServiceAudit) -> list[ServiceAudit]:
    """Every audit of the same team or service up to and including this one, oldest first."""
    column = ServiceAudit.team_id if audit.team_id is not None else ServiceAudit.service
    wanted = audit.team_id if audit.team_id is not None else audit.service
    query = (
        select(ServiceAudit).where(column == wanted, ServiceAudit.id <= audit.id).order_by(ServiceAudit.id)
    )
    return list(db.session.scalars(query))


def framework_of(audit: ServiceAudit) -> AuditFramework:
    """The framework as it was when the audit was made."""
    return framework_from_data(json.loads(audit.framework))


def ratings_of(audit: ServiceAudit | None) -> Ratings:
    """An audit's ratings (none for no audit)."""
    return ratings_from_data(json.loads(audit.ratings)) if audit is not None else {}


def clean_service_name(name: str) -> str:
    """A service's name, trimmed; raises FormProblems when it is empty or too long."""
    name = " ".join((name or "").split())
    if not name:
        raise FormProblems({"service": "Enter the name of the service"})
    if len(name) > MAX_SERVICE_NAME:
        raise FormProblems({"service": f"The name can be {MAX_SERVICE_NAME} characters or fewer"})
    return name


@writes
def record_audit(
    actor_id: int,
    framework: AuditFramework,
    form: Mapping[str, str],
    team_id: int | None = None,
    service: str | None = None,
) -> ServiceAudit:
    """Keep a new audit of a team or service, starting from its last one; audited.

    Open actions of the last audit carry over. Raises FormProblems (nothing saved) on bad input.
    """
    if (team_id is None) == (service is None):
        raise ValueError("an audit is about one team or one service")
    ratings, problems = check_ratings(framework, form)
    if problems:
        raise FormProblems(problems)
    previous = latest(team_id, service)
    audit = ServiceAudit(
        team_id=team_id,
        service=service,
        framework=json.dumps(framework.as_data()),
        ratings=json.dumps(ratings_to_data(ratings)),
        previous_id=previous.id if previous else None,
        audited_by=actor_id,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.add(audit)
    db.session.flush()
    if previous is not None:
        for action in open_actions(previous.id):
            db.session.add(
                ServiceAuditAction(
                    audit_id=audit.id,
                    criterion=action.criterion,
                    action=action.action,
                    owner=action.owner,
                    due=action.due,
                    created_by=action.created_by,
                    created_at=action.created_at,
                )
            )
    detail = f"audit:{audit.id}; " + summary(framework, ratings)
    record_event(actor_id, "service_audit.created", subject(audit), detail)
    return audit


@writes
def update_audit(actor_id: int, audit_id: int, form: Mapping[str, str]) -> ServiceAudit:
    """Change an audit's ratings (against the criteria it was made with); audited."""
    audit = _get(audit_id)
    framework = framework_of(audit)
    ratings, problems = check_ratings(framework, form)
    if problems:
        raise FormProblems(problems)
    audit.ratings, audit.updated_at = json.dumps(ratings_to_data(ratings)), utcnow()
    detail = f"audit:{audit.id}; " + summary(framework, ratings)
    record_event(actor_id, "service_audit.updated", subject(audit), detail)
    return audit


def summary(framework: AuditFramework, ratings: Ratings) -> str:
    """Counts for the audit log: "red 2, amber 3, green 41"."""
    counts = rag_counts(framework, ratings)
    return ", ".join(
        f"{status} {sum(c[status] for c in counts.values())}" for status in ("red", "amber", "green")
    )


def _get(audit_id: int) -> ServiceAudit:
    audit = db.session.get(ServiceAudit, audit_id)
    if audit is None:
        raise LookupError(f"no audit {audit_id}")
    return audit


def _due(day: str, month: str, year: str) -> date | None:
    parts = [(p or "").strip() for p in (day, month, year)]
    if not any(parts):
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise FormProblems({"due": "Enter the due date as a real date, for example 27 3 2027"}) from None


@writes
def add_action(actor_id: int, audit_id: int, form: Mapping[str, str]) -> ServiceAuditAction:
    """Add an action to an audit (what, who, by when, and the criterion it is for); audited."""
    audit = _get(audit_id)
    text, owner = (form.get("action") or "").strip(), " ".join((form.get("owner") or "").split())
    criterion = (form.get("criterion") or "").strip() or None
    problems = {}
    if not text:
        problems["action"] = "Enter what will be done"
    elif len(text) > MAX_ACTION:
        problems["action"] = f"The action can be {MAX_ACTION:,} characters or fewer"
    if not owner:
        problems["owner"] = "Enter who will do it"
    elif len(owner) > MAX_OWNER:
        problems["owner"] = f"The owner can be {MAX_OWNER} characters or fewer"
    if criterion is not None and criterion not in {c.key for _p, c in framework_of(audit).criteria()}:
        problems["criterion"] = "Choose a criterion from the list"
    try:
        due = _due(form.get("due-day", ""), form.get("due-month", ""), form.get("due-year", ""))
    except FormProblems as bad:
        problems.update(bad.problems)
        due = None
    if problems:
        raise FormProblems(problems)
    action = ServiceAuditAction(
        audit_id=audit.id, criterion=criterion, action=text, owner=owner, due=due, created_by=actor_id
    )
    db.session.add(action)
    db.session.flush()
    record_event(
        actor_id, "service_audit.action_added", subject(audit), f"audit:{audit.id}; action:{action.id}"
    )
    return action


@writes
def set_action_done(actor_id: int, audit_id: int, action_id: int, done: bool) -> ServiceAuditAction:
    """Mark an audit's action done (or not done again); audited. LookupError if it is not that audit's."""
    audit = _get(audit_id)
    action = db.session.get(ServiceAuditAction, action_id)
    if action is None or action.audit_id != audit.id:
        raise LookupError(f"no action {action_id} on audit {audit_id}")
    action.done_at = utcnow() if done else None
    what = "done" if done else "not done"
    record_event(
        actor_id, "service_audit.updated", subject(audit), f"audit:{audit.id}; action:{action.id} {what}"
    )
    return action


def actions(audit_id: int) -> list[ServiceAuditAction]:
    """An audit's actions, open ones first, then by due date."""
    rows = db.session.scalars(select(ServiceAuditAction).where(ServiceAuditAction.audit_id == audit_id))
    return sorted(rows, key=lambda a: (a.done_at is not None, a.due or date.max, a.id))


def open_actions(audit_id: int) -> list[ServiceAuditAction]:
    """An audit's actions not yet done."""
    return [a for a in actions(audit_id) if a.done_at is None]


@dataclass(frozen=True)
class AuditPage:
    """One audit ready to show or export: whom it is about, its criteria, ratings, moves and actions."""

    audit: ServiceAudit
    about: str
    framework: AuditFramework
    ratings: Ratings
    previous: ServiceAudit | None
    moves: list[Move]
    actions: list[ServiceAuditAction]
    audited_by: str


def audit_page(audit: ServiceAudit) -> AuditPage:
    """An audit with what moved since the one it started from."""
    framework = framework_of(audit)
    ratings = ratings_of(audit)
    previous = db.session.get(ServiceAudit, audit.previous_id) if audit.previous_id else None
    moves = what_moved(framework, ratings_of(previous), ratings) if previous is not None else []
    names = people.names_of([audit.audited_by] if audit.audited_by else [])
    return AuditPage(
        audit,
        about(audit),
        framework,
        ratings,
        previous,
        moves,
        actions(audit.id),
        names.get(audit.audited_by or 0, ""),
    )


def about(audit: ServiceAudit) -> str:
    """The team's or the service's name."""
    if audit.team_id is not None:
        team = db.session.get(Team, audit.team_id)
        return team.name if team else ""
    return audit.service or ""


def latest_for_teams(team_ids: list[int]) -> dict[int, ServiceAudit]:
    """Each team's newest audit, by team id (teams never audited are left out)."""
    if not team_ids:
        return {}
    newest = (
        select(func.max(ServiceAudit.id))
        .where(ServiceAudit.team_id.in_(team_ids))
        .group_by(ServiceAudit.team_id)
    )
    rows = db.session.scalars(select(ServiceAudit).where(ServiceAudit.id.in_(newest)))
    return {row.team_id: row for row in rows if row.team_id is not None}


def latest_for_services() -> list[ServiceAudit]:
    """Each named service's newest audit, by name (admins only see these)."""
    newest = (
        select(func.max(ServiceAudit.id))
        .where(ServiceAudit.service.is_not(None))
        .group_by(ServiceAudit.service)
    )
    rows = db.session.scalars(select(ServiceAudit).where(ServiceAudit.id.in_(newest)))
    return sorted(rows, key=lambda a: (a.service or "").casefold())
