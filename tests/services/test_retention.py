"""Retention: leavers are erased in time; old pauses go (the newest stays), old grounding visits go."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.support.learning import make_record
from tilearn.extensions import db
from tilearn.models import AuditEvent, CompletionRecord, GroundingVisit, Pause, User
from tilearn.models.types import utcnow
from tilearn.services.retention import apply_retention

DAY = timedelta(days=1)


def person(make_user, name: str, disabled_days_ago: int | None = None) -> int:
    user = make_user("learner", name=name)
    found = db.session.get(User, user.id)
    found.disabled_at = utcnow() - disabled_days_ago * DAY if disabled_days_ago is not None else None
    db.session.commit()
    return user.id


def test_people_who_left_long_ago_are_erased_and_their_records_kept(app, make_user):
    with app.app_context():
        long_gone = person(make_user, "Lena Left", disabled_days_ago=800)
        recent = person(make_user, "Ravi Recent", disabled_days_ago=30)
        active = person(make_user, "Asha Active")
        make_record(app, long_gone)
        assert apply_retention(0, 0).erased == 0  # 0 turns the rule off
        assert apply_retention(24, 0).erased == 1
        db.session.expire_all()
        gone = db.session.get(User, long_gone)
        assert gone.erased_at is not None and gone.name == f"Erased person {long_gone}"
        assert db.session.get(User, recent).erased_at is None
        assert db.session.get(User, active).erased_at is None
        kept = db.session.scalar(select(CompletionRecord).where(CompletionRecord.user_id == long_gone))
        assert kept is not None and kept.revoked_at is None
        erased = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.erased"))
        assert (erased.actor_id, erased.subject) == (None, f"user:{long_gone}")
        assert apply_retention(24, 0).erased == 0  # nobody is erased twice


def test_old_pauses_go_but_each_learners_newest_stays(app, make_user):
    with app.app_context():
        away = person(make_user, "Away Long")  # every pause old: the newest still leads back
        back = person(make_user, "Back Soon")
        now = utcnow()
        for user_id, ages in ((away, (200, 120)), (back, (150, 2))):
            for age in ages:
                db.session.add(Pause(user_id=user_id, module_id="worked-example", paused_at=now - age * DAY))
        db.session.commit()
        assert apply_retention(0, 90).pauses == 2
        left = {(p.user_id, (now - p.paused_at).days) for p in db.session.scalars(select(Pause))}
        assert left == {(away, 120), (back, 2)}


def test_old_grounding_visits_go_with_no_trace_in_the_audit_log(app, make_user):
    with app.app_context():
        learner = person(make_user, "Gita Grounded")
        now = utcnow()
        for age in (200, 91, 89, 0):
            db.session.add(
                GroundingVisit(
                    user_id=learner, module_id="worked-example", section_id=None, visited_at=now - age * DAY
                )
            )
        db.session.commit()
        assert apply_retention(0, 0).grounding_visits == 0  # 0 keeps every visit
        assert apply_retention(0, 90).grounding_visits == 2
        left = sorted((now - v.visited_at).days for v in db.session.scalars(select(GroundingVisit)))
        assert left == [0, 89]
        for event in db.session.scalars(select(AuditEvent)):
            assert "2" not in f"{event.detail} {event.count}" and "grounding visit(s)" not in event.detail


def test_the_command_uses_the_settings_and_says_what_it_did(app, make_user):
    with app.app_context():
        person(make_user, "Lena Left", disabled_days_ago=40)
    app.config.update(RETENTION_MONTHS_AFTER_LEAVING=1, RETENTION_DAYS_FOR_PAUSES=90)
    result = app.test_cli_runner().invoke(args=["people", "apply-retention"])
    assert result.exit_code == 0, result.output
    assert "Erased 1 person(s) who left more than 1 months ago and deleted 0 pause(s)" in result.output
    assert "and 0 grounding visit(s) older than 90 days" in result.output
    with app.app_context():
        applied = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.applied"))
        assert applied.count == 1 and "erased 1" in applied.detail
