"""Development plans and needs assessments as personal data: downloaded, erased, let go by retention."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tilearn.engine.levels import load_scheme
from tilearn.extensions import db
from tilearn.models import DevelopmentPlan, NeedsAssessment, Team, User
from tilearn.models.types import utcnow
from tilearn.services import development_plans, needs_assessment
from tilearn.services.my_data import export_my_data
from tilearn.services.people import erase_person
from tilearn.services.retention import apply_retention

WEST_MIDLANDS = load_scheme("west-midlands")
ANSWERS = {"work": ["none"], "contact": ["yes"]}


def plan_for(user_id: int) -> None:
    development_plans.save_plan(
        user_id, {"strengths": "Staying calm."}, "aware", WEST_MIDLANDS, {("worked-example", "An outcome"): 4}
    )


def test_erasing_a_person_deletes_their_plan_and_assessments_of_their_role(admin, make_user):
    learner, manager = make_user("learner"), make_user("manager")
    team = Team(name="Housing")
    db.session.add(team)
    db.session.commit()
    plan_for(learner.id)
    needs_assessment.record_assessment(admin.id, ANSWERS, user_id=learner.id)
    team_assessment = needs_assessment.record_assessment(manager.id, ANSWERS, team_id=team.id)
    data = export_my_data(learner.id)
    assert data["development_plan"][0]["strengths"] == "Staying calm."
    assert data["development_plan"][0]["confidence"] == [
        {"module_id": "worked-example", "outcome": "An outcome", "rating": 4}
    ]
    (about_them,) = data["training_needs_assessments_about_you"]
    assert about_them["recommended_level"] == "informed" and about_them["answers"][0]["key"] == "work"
    erase_person(admin.id, learner.id)
    erase_person(admin.id, manager.id)
    db.session.expire_all()
    assert db.session.scalar(select(DevelopmentPlan)) is None
    kept = db.session.scalars(select(NeedsAssessment)).all()
    assert [a.id for a in kept] == [team_assessment.id]  # the team's history stays with the team
    assert kept[0].assessed_by == manager.id  # by id only, like the audit log: it names nobody now
    assert db.session.get(User, manager.id).name == f"Erased person {manager.id}"


def test_retention_lets_a_leavers_plan_go_with_them(ctx, make_user):
    leaver, stayer = make_user("learner"), make_user("learner")
    plan_for(leaver.id)
    plan_for(stayer.id)
    db.session.get(User, leaver.id).disabled_at = utcnow() - timedelta(days=800)
    db.session.commit()
    assert apply_retention(24, 0).erased == 1
    owners = db.session.scalars(select(DevelopmentPlan.user_id)).all()
    assert owners == [stayer.id]
