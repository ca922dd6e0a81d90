"""Personal development plans: the learner's own, private until they share it with their manager."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.web.conftest import signed_in
from tilearn.extensions import db
from tilearn.models import AuditEvent, DevelopmentPlan
from tilearn.services.my_data import export_my_data

PLAN = {
    "service_remit": "Housing advice for people at risk of losing their home.",
    "role": "Duty officer",
    "level": "informed",
    "strengths": "Listening without rushing.",
    "areas_to_develop": "Knowing when and how to refer on.",
}


def actions(app) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def the_plan(app, user_id: int) -> DevelopmentPlan | None:
    with app.app_context():
        plan = db.session.scalar(select(DevelopmentPlan).where(DevelopmentPlan.user_id == user_id))
        if plan is not None:
            db.session.expunge(plan)
        return plan


def test_a_learner_writes_a_private_plan_that_no_manager_or_admin_can_reach(app, organisation):
    org = organisation
    learner = signed_in(app, org.a1)
    start = learner.get("/my-plan/").get_data(as_text=True)
    assert "it is private: nobody else can see it" in start and "Share with my manager" not in start
    saved = learner.post("/my-plan/", data=PLAN)
    assert saved.status_code == 302
    page = learner.get("/my-plan/").get_data(as_text=True)
    assert "Knowing when and how to refer on." in page and "Not shared: private" in page
    assert "Nobody manages your team" not in page
    assert 'value="informed" aria-describedby="level-2-item-hint" checked' in page
    plan = the_plan(app, org.a1.id)
    assert (plan.role, plan.level, plan.shared_at) == ("Duty officer", "informed", None)
    for viewer in (org.manager_a, org.admin):
        client = signed_in(app, viewer)
        assert client.get(f"/manage/plans/{org.a1.id}").status_code == 404
        assert client.post(f"/manage/plans/{org.a1.id}", data={"agreed_plan": "x"}).status_code == 404
        assert "Nobody has shared a plan with you." in client.get("/manage/plans/").get_data(as_text=True)
    assert actions(app) == []  # a private plan leaves no trace in the audit log


def test_a_shared_plan_is_agreed_in_conversation_and_unsharing_hides_it(app, organisation):
    org = organisation
    learner = signed_in(app, org.a1)
    learner.post("/my-plan/", data=PLAN)
    assert learner.post("/my-plan/sharing", data={"share": "yes"}).status_code == 302
    assert the_plan(app, org.a1.id).shared_at is not None

    manager = signed_in(app, org.manager_a)
    listing = manager.get("/manage/plans/").get_data(as_text=True)
    assert "Ann Able" in listing and f"/manage/plans/{org.a1.id}" in listing
    shown = manager.get(f"/manage/plans/{org.a1.id}").get_data(as_text=True)
    assert "Knowing when and how to refer on." in shown and "Trauma Informed" in shown
    refused = manager.post(f"/manage/plans/{org.a1.id}", data={"agreed_plan": " ", "agreed_support": ""})
    assert refused.status_code == 400 and "Write down the agreed plan" in refused.get_data(as_text=True)
    agreed = manager.post(
        f"/manage/plans/{org.a1.id}",
        data={
            "agreed_plan": "Take the Trauma Informed modules by March.",
            "agreed_support": "Monthly supervision.",
        },
    )
    assert agreed.status_code == 302
    plan = the_plan(app, org.a1.id)
    assert plan.agreed_by == org.manager_a.id and plan.agreed_at is not None
    mine = learner.get("/my-plan/").get_data(as_text=True)
    assert "Monthly supervision." in mine and "with Mona Manager" in mine
    assert f"{plan.agreed_at:%-d %B %Y}" in mine and f"{plan.shared_at:%-d %B %Y}" in mine
    assert actions(app) == ["development_plan.viewed", "development_plan.agreed"]

    learner.post("/my-plan/sharing", data={"share": "no"})
    assert manager.get(f"/manage/plans/{org.a1.id}").status_code == 404
    assert "Ann Able" not in manager.get("/manage/plans/").get_data(as_text=True)
    assert "Monthly supervision." in learner.get("/my-plan/").get_data(as_text=True)  # theirs to keep


def test_a_shared_plan_is_for_their_teams_manager_only(app, organisation):
    org = organisation
    learner = signed_in(app, org.a1)
    learner.post("/my-plan/", data=PLAN)
    learner.post("/my-plan/sharing", data={"share": "yes"})
    for viewer in (org.manager_b, org.admin):  # another team's manager; an admin who manages no team
        client = signed_in(app, viewer)
        assert client.get(f"/manage/plans/{org.a1.id}").status_code == 404
        assert client.post(f"/manage/plans/{org.a1.id}", data={"agreed_plan": "x"}).status_code == 404
        assert "Ann Able" not in client.get("/manage/plans/").get_data(as_text=True)
    assert the_plan(app, org.a1.id).agreed_plan is None


def test_confidence_is_rated_against_the_outcomes_of_the_level(app, organisation):
    learner = signed_in(app, organisation.a1)
    form = learner.get("/my-plan/").get_data(as_text=True)  # Housing's expected level is aware
    assert 'name="rated_level" value="aware"' in form and 'name="confidence-0"' in form
    assert "Not confident yet" in form and "Confident enough to help others" in form
    outcome = form.split('<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">')[-1].split("<")[
        0
    ]
    mine = {**PLAN, "level": "aware", "rated_level": "aware"}
    bad = learner.post("/my-plan/", data={**mine, "confidence-0": "9"})
    assert bad.status_code == 400 and "Choose how confident you feel" in bad.get_data(as_text=True)
    assert the_plan(app, organisation.a1.id) is None
    learner.post("/my-plan/", data={**mine, "confidence-0": "3"})
    ratings = json.loads(the_plan(app, organisation.a1.id).confidence)
    assert len(ratings) == 1 and ratings[0]["rating"] == 3
    page = learner.get("/my-plan/").get_data(as_text=True)
    assert 'name="confidence-0" type="radio" value="3" checked' in page
    learner.post("/my-plan/sharing", data={"share": "yes"})
    manager = signed_in(app, organisation.manager_a)
    shown = manager.get(f"/manage/plans/{organisation.a1.id}").get_data(as_text=True)
    assert f"{ratings[0]['outcome']}: Fairly confident" in shown
    assert outcome.strip()  # the form showed a real outcome to rate


def test_too_much_text_is_refused_plainly_and_nothing_saved(app, organisation):
    learner = signed_in(app, organisation.a1)
    response = learner.post("/my-plan/", data={**PLAN, "strengths": "x" * 5001})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#strengths"' in page
    assert "Your strengths can be 5,000 characters or fewer. Nothing has been saved yet." in page
    assert "Housing advice for people at risk" in page  # what they wrote is still on the page
    assert the_plan(app, organisation.a1.id) is None


def test_a_learner_can_delete_their_plan(app, organisation):
    learner = signed_in(app, organisation.a1)
    learner.post("/my-plan/", data=PLAN)
    assert "This cannot be undone" in learner.get("/my-plan/delete").get_data(as_text=True)
    assert learner.post("/my-plan/delete").status_code == 302
    assert the_plan(app, organisation.a1.id) is None
    shared = learner.post("/my-plan/sharing", data={"share": "yes"})  # nothing to share any more
    assert shared.status_code == 302 and the_plan(app, organisation.a1.id) is None


def test_the_plan_is_in_the_learners_own_download(app, organisation):
    learner = signed_in(app, organisation.a1)
    learner.post("/my-plan/", data={**PLAN, "rated_level": "aware", "confidence-0": "2"})
    data = json.loads(learner.get("/my-data").get_data(as_text=True))
    (plan,) = data["development_plan"]
    assert plan["areas_to_develop"] == PLAN["areas_to_develop"] and plan["shared_at"] is None
    assert plan["confidence"][0]["rating"] == 2 and "user_id" not in plan
    with app.app_context():
        assert export_my_data(organisation.a2.id)["development_plan"] == []


def test_sharing_says_when_nobody_manages_the_learners_team(app, make_user):
    alone = make_user("learner")
    client = signed_in(app, alone)
    client.post("/my-plan/", data={"role": "Volunteer"})
    assert "Nobody manages your team on this site yet" in client.get("/my-plan/").get_data(as_text=True)
