"""Running insight totals always equal counting every learner afresh, whatever learners do, in any order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tilearn.extensions import db
from tilearn.models import InsightCount, InsightShare
from tilearn.services import certificates, insight_totals, people, progress, quizzes
from tilearn.web.library_state import current_library


class Clock:
    """Time that moves only when the test says, so section times vary and repeat exactly."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """The clock learners' progress and answers are recorded with."""
    moving = Clock()
    monkeypatch.setattr(progress, "utcnow", moving)
    monkeypatch.setattr(quizzes, "utcnow", moving)
    return moving


def afresh(module) -> dict:
    """The totals a full recount gives (the recount is rolled back, so nothing changes)."""
    insight_totals.recount(module)
    found = insight_totals.totals(module.id)
    db.session.rollback()
    return found


def act(rng: random.Random, module, learner: int, clock: Clock, step: int) -> None:
    """One thing a learner might do: read a section, check answers (rightly or not), or start again."""
    clock.now += timedelta(minutes=rng.choice([0, 1, 2, 3, 7, 20]), seconds=rng.randrange(60))
    section = rng.choice(module.sections)
    choice = rng.random()
    if choice < 0.45:
        progress.record_section_seen(learner, module, section.id)
    elif choice < 0.9 and section.questions:
        answers = {q.id: [rng.randrange(len(q.options))] for q in section.questions if rng.random() < 0.9}
        quizzes.submit_answers(learner, module, section, answers, f"key-{step}")
    elif choice >= 0.97:
        certificates.start_refresher(learner, module)


def test_running_totals_equal_a_fresh_count_after_every_kind_of_action(app, make_user, clock):
    learners = [make_user("learner").id for _ in range(7)]
    admin = make_user("admin").id
    with app.app_context():
        module = current_library().get("worked-example")
        insight_totals.recount(module)  # counted (empty) before anyone starts, as after a first view
        db.session.commit()
        rng = random.Random(20261201)
        for step in range(300):
            act(rng, module, rng.choice(learners), clock, step)
            if step % 50 == 49:
                assert insight_totals.totals(module.id) == afresh(module), f"after step {step}"
        running = insight_totals.totals(module.id)
        assert {measure for measure, _item, _bucket in running} == {
            "minutes",
            "retried",
            *insight_totals.ITEM_MEASURES,
        }
        assert len({bucket for measure, _item, bucket in running if measure == "minutes"}) > 3
        assert running == afresh(module)

        people.erase_person(admin, learners[0])
        db.session.commit()
        assert insight_totals.totals(module.id) == afresh(module)
        assert db.session.scalar(select(func.count()).where(InsightShare.user_id == learners[0])) == 0


def test_a_new_version_is_counted_afresh_and_learners_wait_for_it(app, make_user, clock):
    learner = make_user("learner").id
    with app.app_context():
        module = current_library().get("worked-example")
        progress.record_section_seen(learner, module, "survival-responses")
        assert not insight_totals.is_counted(module)  # never counted: the learner's action left no totals
        assert insight_totals.totals(module.id) == {}
        insight_totals.recount(module)
        db.session.commit()
        assert insight_totals.is_counted(module)
        assert insight_totals.totals(module.id) == {("minutes", "survival-responses", 0): 1}
        # As if the module had been republished since: its totals wait for a recount.
        db.session.get(InsightCount, module.id).content_hash = "an earlier version"
        db.session.commit()
        progress.record_section_seen(learner, module, "harder-day")
        assert not insight_totals.is_counted(module)
        assert insight_totals.totals(module.id) == {("minutes", "survival-responses", 0): 1}
        insight_totals.recount(module)
        db.session.commit()
        assert insight_totals.totals(module.id) == {
            ("minutes", "survival-responses", 0): 1,
            ("minutes", "harder-day", 0): 1,
        }


def test_the_count_command_counts_modules_not_yet_counted_and_only_those(app, make_user, clock):
    learner = make_user("learner").id
    with app.app_context():
        module = current_library().get("worked-example")
        progress.record_section_seen(learner, module, "survival-responses")
    first = app.test_cli_runner().invoke(args=["insight", "count"])
    assert first.exit_code == 0 and "Counted 1 module(s) afresh" in first.output
    with app.app_context():
        assert insight_totals.is_counted(module)
        assert insight_totals.totals(module.id) == {("minutes", "survival-responses", 0): 1}
    again = app.test_cli_runner().invoke(args=["insight", "count"])
    assert "Counted 0 module(s) afresh" in again.output
