"""One transaction per action: services flush, the request or command commits once, or nothing is kept."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from tests.web.test_admin import HEADER
from tilearn.extensions import db
from tilearn.models import AuditEvent, PasswordLink, SectionView, Team, TeamManager, User, UserRole
from tilearn.services import people_import, teams
from tilearn.services.personal_data import DELETE, HOLDINGS

SERVICES = Path(__file__).resolve().parents[2] / "tilearn" / "services"
#: the commits made part-way through a unit of work on purpose (each explained where it is made)
COMMITS_ON_PURPOSE = {"accounts.py": 2, "passwords.py": 2, "audit.py": 1}
DML = ("INSERT", "UPDATE", "DELETE")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def nothing_saved(app) -> dict[str, int]:
    """How many teams, managers and audit entries the database holds, read in a fresh session."""
    with app.app_context():
        db.session.remove()
        return {"teams": count(Team), "managers": count(TeamManager), "audit": count(AuditEvent)}


class Transactions:
    """Every database transaction on the app's engine: the statements run in it and how it ended."""

    def __init__(self, app) -> None:
        from tilearn.database import _needs_write_lock

        with app.app_context():
            self.engine = db.engine
        self.all: list[dict] = []
        self._listeners = [
            ("begin", lambda _conn: self.all.append({"sql": [], "end": None, "locked": _needs_write_lock()})),
            ("before_cursor_execute", self._statement),
            ("commit", lambda _conn: self._end("commit")),
            ("rollback", lambda _conn: self._end("rollback")),
        ]

    def _statement(self, _conn, _cursor, sql: str, *_args) -> None:
        if self.all and self.all[-1]["end"] is None:
            self.all[-1]["sql"].append(sql.lstrip().split()[0].upper())

    def _end(self, how: str) -> None:
        if self.all and self.all[-1]["end"] is None:
            self.all[-1]["end"] = how

    def writers(self) -> list[dict]:
        return [t for t in self.all if set(DML) & set(t["sql"])]

    def __enter__(self) -> Transactions:
        for name, listener in self._listeners:
            event.listen(self.engine, name, listener)
        return self

    def __exit__(self, *_exc) -> None:
        for name, listener in self._listeners:
            event.remove(self.engine, name, listener)


def team_form(manager) -> dict:
    return {"name": "Outreach", "expected_level": "", "managers": [str(manager.id)]}


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Ada Admin")


def test_services_never_commit_except_where_they_say_why():
    found = {}
    for path in sorted(SERVICES.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.(commit|rollback)\(", text), f"{path.name} commits or rolls back itself"
        if "commit_now()" in text:
            found[path.name] = text.count("commit_now()")
    assert found == COMMITS_ON_PURPOSE


def test_a_team_whose_managers_cannot_be_set_is_not_added(
    app, client, sign_in, admin, make_user, monkeypatch, caplog
):
    caplog.set_level(logging.INFO, logger="tilearn")
    manager = make_user("manager")
    real = teams.set_team_managers

    def managers_then_refused(*args, **kwargs):
        real(*args, **kwargs)  # the managers are written, then the second step fails after all
        raise teams.TeamError("managers", "Only people who hold the manager role can manage a team")

    monkeypatch.setattr(teams, "set_team_managers", managers_then_refused)
    sign_in(admin)
    response = client.post("/admin/teams/new", data=team_form(manager))
    assert response.status_code == 200 and "manager role" in response.get_data(as_text=True)
    assert nothing_saved(app) == {"teams": 0, "managers": 0, "audit": 0}
    assert "event=team." not in caplog.text  # logged only once committed: never, here


def test_a_team_and_its_managers_are_one_transaction_that_commits_once(
    app, client, sign_in, admin, make_user
):
    manager = make_user("manager")
    sign_in(admin)
    with Transactions(app) as transactions:
        response = client.post("/admin/teams/new", data=team_form(manager))
    assert response.status_code == 302
    writers = transactions.writers()
    assert len(writers) == 1 and writers[0]["end"] == "commit", transactions.all
    assert {"INSERT"} <= set(writers[0]["sql"])
    if transactions.engine.dialect.name == "sqlite":
        assert writers[0]["locked"]  # began IMMEDIATE: it waits for the write lock, never fails on it
    assert nothing_saved(app) == {"teams": 1, "managers": 1, "audit": 2}


def test_a_unit_of_work_that_fails_half_way_leaves_nothing(app, admin, make_user):
    from tilearn.database import unit_of_work

    learner = make_user("learner")
    with app.app_context():
        with pytest.raises(teams.TeamError, match="manager role"), unit_of_work():
            team = teams.create_team(admin.id, "Outreach")
            teams.set_team_managers(admin.id, team.id, [learner.id])  # not a manager: refused
    assert nothing_saved(app) == {"teams": 0, "managers": 0, "audit": 0}


def test_an_import_that_fails_part_way_adds_nobody(app, admin, monkeypatch):
    links = iter(range(3))
    real = people_import.make_password_link

    def second_fails(user_id: int):
        if next(links) == 1:
            raise RuntimeError("the disk is full")
        return real(user_id)

    monkeypatch.setattr(people_import, "make_password_link", second_fails)
    text = HEADER + "Ann,ann@example.org,New team,learner,\nBob,bob@example.org,New team,learner,\n"
    with app.app_context():
        with pytest.raises(RuntimeError, match="disk"):
            people_import.import_people_csv(admin.id, text)
        assert count(User) == 1 and count(Team) == 0 and count(PasswordLink) == 0  # this session too
    with app.app_context():
        db.session.remove()
        assert count(User) == 1 and count(Team) == 0 and count(AuditEvent) == 0


def test_a_retention_run_that_fails_part_way_erases_nobody(app, make_user, monkeypatch):
    from tilearn.models.types import utcnow
    from tilearn.services import retention

    leavers = [make_user("learner", name=f"Leaver {n}") for n in range(2)]
    with app.app_context():
        for leaver in leavers:
            db.session.get(User, leaver.id).disabled_at = utcnow().replace(year=2000)
        db.session.commit()
    calls = iter(range(3))
    real = retention.erase_person

    def second_fails(actor_id, user_id):
        real(actor_id, user_id)
        if next(calls) == 1:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(retention, "erase_person", second_fails)
    result = app.test_cli_runner().invoke(args=["people", "apply-retention"])
    assert isinstance(result.exception, RuntimeError), result.output
    with app.app_context():
        db.session.remove()
        assert count(User, User.erased_at.is_not(None)) == 0 and count(AuditEvent) == 0
        names = set(db.session.scalars(select(User.name)))
        assert {"Leaver 0", "Leaver 1"} <= names
        assert count(UserRole) == len(leavers)  # erasing deletes roles: none went
        kept = [h.model for h in HOLDINGS if h.erase == DELETE and h.model is not UserRole]
        assert all(count(model) == 0 for model in kept)  # and nothing else was written meanwhile


def test_a_write_whose_commit_fails_is_an_error_page_not_a_redirect(app, client, make_user, sign_in):
    sign_in(make_user())
    with app.app_context():
        engine = db.engine
    wrote: list[bool] = []

    def note(_conn, _cursor, sql: str, *_args) -> None:
        if sql.lstrip().upper().startswith(DML):
            wrote.append(True)

    def refuse(_conn) -> None:
        if wrote:
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "commit", refuse)
    try:
        response = client.post("/learn/worked-example/survival-responses/done")
    finally:
        event.remove(engine, "before_cursor_execute", note)
        event.remove(engine, "commit", refuse)
    assert response.status_code == 503, response.status_code
    with app.app_context():
        db.session.remove()
        assert count(SectionView) == 0


def test_settings_are_kept_for_an_outage_only_once_committed(app, admin):
    from tilearn.database import unit_of_work
    from tilearn.services.organisation import current_settings, last_known_settings, update_settings

    contacts = [{"name": "Helpline", "detail": "0800 000 000"}]
    with app.app_context():
        before = current_settings()
        with pytest.raises(RuntimeError, match="later step"), unit_of_work():
            update_settings(admin.id, "Renamed", contacts, "west-midlands")
            raise RuntimeError("a later step of the action fails")
        assert last_known_settings() == before
        with unit_of_work():
            update_settings(admin.id, "Renamed", contacts, "west-midlands")
        assert last_known_settings().name == "Renamed"
