"""Fixtures for the manager and privacy tests: teams with managers and learners."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tilearn.extensions import db
from tilearn.models import AuditEvent, Team, TeamManager, User


@dataclass
class Organisation:
    """Two teams, a manager each, learners in both, and an admin."""

    team_a: int
    team_b: int
    manager_a: User
    manager_b: User
    admin: User
    a1: User
    a2: User
    b1: User


def signed_in(app, user):
    """A new test client of app with user signed in (through the form; CSRF as the app is set)."""
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def events(app, action: str) -> list[tuple]:
    """(actor id, subject, detail) of every audit event with this action, oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [(e.actor_id, e.subject, e.detail) for e in rows]


def add_team(app, name: str, level: str | None = "aware", managers=(), members=()) -> int:
    """Create a team with its managers and members; return its id."""
    with app.app_context():
        team = Team(name=name, expected_level=level)
        db.session.add(team)
        db.session.flush()
        for manager in managers:
            db.session.add(TeamManager(team_id=team.id, user_id=manager.id))
        for member in members:
            db.session.get(User, member.id).team_id = team.id
        db.session.commit()
        return team.id


@pytest.fixture
def organisation(app, make_user) -> Organisation:
    manager_a, manager_b = make_user("manager", name="Mona Manager"), make_user("manager", name="Bob Manager")
    a1, a2 = make_user("learner", name="Ann Able"), make_user("learner", name="Arun Aye")
    b1 = make_user("learner", name="Bea Bee")
    admin = make_user("admin", name="Ada Admin")
    team_a = add_team(app, "Housing", managers=[manager_a], members=[a1, a2])
    team_b = add_team(app, "Libraries", managers=[manager_b], members=[b1])
    return Organisation(team_a, team_b, manager_a, manager_b, admin, a1, a2, b1)


@pytest.fixture
def csrf_app(make_app):
    """The app with CSRF checks on, as in production."""
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def admin(make_user):
    """An admin, Ada."""
    return make_user("admin", name="Ada Admin")


@pytest.fixture
def browser(csrf_app, admin):
    """The admin signed in on the CSRF-checking app."""
    from tests.support.pages import SignedInClient

    return SignedInClient(csrf_app, admin)
