"""Security events: each logged once, one line with its name and the person's id, and nothing private."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import PASSWORD
from tests.support.learning import MARKER, complete, look_after_myself
from tests.web.conftest import add_team
from tilearn.eventlog import log_event
from tilearn.extensions import db
from tilearn.models import AuditEvent, CompletionRecord, ReflectionEntry
from tilearn.services import certificates, people, people_import
from tilearn.services.audit import record_event

NEW_PASSWORD = "a-new-password-nobody-may-log"
#: what the learner chose in the quiz and while pausing: question ids and the options' words
ANSWERS = ("q-five-fs", "q-helps", "q-same", "Freeze", "A few slow breaths", "Talking it through")


@pytest.fixture
def events(caplog) -> pytest.LogCaptureFixture:
    """Every log record at any level, from every logger (tilearn's own included)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="tilearn")
    return caplog


def event_lines(caplog, name: str) -> list[str]:
    """The messages of the tilearn.events lines for this event name."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "tilearn.events" and r.getMessage().startswith(f"event={name} ")
    ]


def audit(app, action: str) -> list[tuple[int | None, str | None, str | None]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [(e.actor_id, e.subject, e.detail) for e in rows]


def test_a_learners_journey_logs_the_completion_and_nothing_private(app, client, make_user, sign_in, events):
    learner = make_user("learner", name="Journey Person")
    sign_in(learner)
    with client.session_transaction() as session:
        token = session["_user_id"]  # the session token held in the browser's cookie
    cookie = client.get_cookie("tilearn_session").value
    look_after_myself(app, client, learner.id)
    complete(client)
    assert client.post("/sign-out").status_code == 302
    with app.app_context():
        record = db.session.scalars(select(CompletionRecord)).one()
    assert event_lines(events, "module.completed") == [
        f"event=module.completed user={learner.id} module=worked-example version=1.2 record={record.id}"
    ]
    messages = [r.getMessage() for r in events.records]
    assert messages, "the journey logged nothing at all"
    for secret in (MARKER, PASSWORD, token, cookie, *ANSWERS):
        assert not [m for m in messages if secret in m], secret
        assert secret not in events.text


def test_role_change_revocation_import_and_password_are_logged_by_who_did_them(
    app, client, make_user, sign_in, events
):
    admin, learner = make_user("admin"), make_user("learner")
    sign_in(learner)
    complete(client)
    with app.app_context():
        record_id = db.session.scalars(select(CompletionRecord.id)).one()
        people.update_person(admin.id, learner.id, "Sam", learner.email, ["learner", "manager"], None, None)
        people.update_person(
            admin.id, learner.id, "Sam Renamed", learner.email, ["manager", "learner"], None, None
        )
        certificates.revoke_record(admin.id, record_id, "Issued in error")
        csv = "name,email,team,role,expected level\nImp,imp@example.org,,learner,\n"
        people_import.import_people_csv(admin.id, csv)
        people.create_password_link(admin.id, learner.id)
    assert event_lines(events, "user.roles_changed") == [
        f"event=user.roles_changed user={admin.id} subject=user:{learner.id} roles=learner,manager"
    ]
    assert len(event_lines(events, "user.updated")) == 2  # a rename is logged, but is no role change
    assert event_lines(events, "certificate.revoked") == [
        f"event=certificate.revoked user={admin.id} subject=record:{record_id}"
    ]
    assert event_lines(events, "users.imported") == [
        f"event=users.imported user={admin.id} subject=users count=1"
    ]
    assert event_lines(events, "user.password_link_created") == [
        f"event=user.password_link_created user={admin.id} subject=user:{learner.id}"
    ]
    for secret in (NEW_PASSWORD, "Issued in error", "imp@example.org", learner.email):
        assert secret not in events.text


def test_an_export_and_a_certificate_download_by_a_manager_are_audited_and_logged(
    app, make_user, sign_in, events
):
    manager, admin = make_user("manager"), make_user("admin")
    learner = make_user("learner")
    team = add_team(app, "Housing", managers=[manager], members=[learner, manager])
    learner_client, manager_client, admin_client = app.test_client(), app.test_client(), app.test_client()
    sign_in(learner, target=learner_client)
    complete(learner_client)
    with app.app_context():
        record_id = db.session.scalars(select(CompletionRecord.id)).one()

    assert learner_client.get(f"/certificates/{record_id}.pdf").status_code == 200  # my own: not audited
    sign_in(manager, target=manager_client)
    assert manager_client.get(f"/manage/report.csv?team={team}&status=completed").status_code == 200
    pdf = manager_client.get(f"/manage/learners/{learner.id}/certificates/{record_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    sign_in(admin, target=admin_client)
    assert admin_client.get("/manage/report.csv").status_code == 200
    assert admin_client.get(f"/manage/learners/{learner.id}/certificates/{record_id}.pdf").status_code == 200
    assert (
        manager_client.get(f"/manage/learners/{learner.id + 999}/certificates/{record_id}.pdf").status_code
        == 404
    )

    assert audit(app, "report.exported") == [
        (manager.id, f"team:{team}", "level: any; status: completed"),
        (admin.id, "teams:all", "level: any; status: any"),
    ]
    assert event_lines(events, "report.exported") == [
        f"event=report.exported user={manager.id} subject=team:{team}",
        f"event=report.exported user={admin.id} subject=teams:all",
    ]
    assert audit(app, "certificate.downloaded") == [
        (manager.id, f"record:{record_id}", None),
        (admin.id, f"record:{record_id}", None),
    ]
    assert event_lines(events, "certificate.downloaded") == [
        f"event=certificate.downloaded user={manager.id} subject=record:{record_id}",
        f"event=certificate.downloaded user={admin.id} subject=record:{record_id}",
    ]


def test_a_manager_downloading_their_own_certificate_is_not_audited(app, client, make_user, sign_in, events):
    manager = make_user("manager", "learner")
    add_team(app, "Housing", managers=[manager], members=[manager])
    sign_in(manager)
    complete(client)
    with app.app_context():
        record_id = db.session.scalars(select(CompletionRecord.id)).one()
    assert client.get(f"/manage/learners/{manager.id}/certificates/{record_id}.pdf").status_code == 200
    assert audit(app, "certificate.downloaded") == []
    assert event_lines(events, "certificate.downloaded") == []


def test_an_audited_action_is_logged_only_once_its_transaction_commits(app, events):
    with app.app_context():
        record_event(None, "team.created", "team:1")
        assert event_lines(events, "team.created") == []  # not yet: it may still roll back
        db.session.rollback()
        record_event(999_999, "team.created", "team:2")  # no such person: the commit fails
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        record_event(None, "team.updated", "team:3")
        db.session.commit()
        db.session.commit()  # a later commit does not log it again
    assert event_lines(events, "team.created") == []
    assert event_lines(events, "team.updated") == ["event=team.updated user=- subject=team:3"]


def test_an_event_is_one_line_whatever_its_fields_hold(events):
    log_event("user.updated", None, subject="user:1\nevent=sign_in user=1", reason="two words")
    assert event_lines(events, "user.updated") == [
        "event=user.updated user=- subject=user:1_event_sign_in_user_1 reason=two_words"
    ]


def test_a_database_error_never_shows_the_values_it_was_writing(app, events):
    with app.app_context():
        db.session.add(ReflectionEntry(user_id=999_999, module_id="m", reflection_id="r", text=MARKER))
        with pytest.raises(IntegrityError) as error:  # no such person
            db.session.commit()
        db.session.rollback()
    assert MARKER not in str(error.value)  # what an unhandled error's log line would carry


def test_log_level_is_read_in_any_case(make_app):
    logger = logging.getLogger("tilearn")
    try:
        make_app(LOG_LEVEL="warning")
        assert logger.level == logging.WARNING
    finally:
        make_app()
    assert logger.level == logging.INFO
