"""Training needs: managers answer for their teams, admins for any team or person; accepting sets a level."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.support.pages import assert_refused_without_token
from tests.web.conftest import add_team, events, signed_in
from tilearn.engine.levels import load_scheme
from tilearn.extensions import db
from tilearn.models import DevelopmentPlan, NeedsAssessment, Team, User
from tilearn.services import development_plans, needs_assessment

CONTACT_ONLY = {
    "work": "none",
    "contact": "yes",
    "needs": ["knowledge", "skills"],
    "notes": "Talked it through.",
}


def test_a_manager_answers_for_their_team_sees_the_reasons_and_accepts(app, organisation):
    org = organisation
    client = signed_in(app, org.manager_a)
    index = client.get("/manage/training-needs/").get_data(as_text=True)
    assert "Housing" in index and "Libraries" not in index
    form = client.get(f"/manage/training-needs/teams/{org.team_a}/new").get_data(as_text=True)
    assert "Which of these describe the work of this team or role?" in form
    assert 'type="checkbox"' in form and 'type="radio"' in form and 'name="csrf_token"' in form

    answered = client.post(f"/manage/training-needs/teams/{org.team_a}/new", data=CONTACT_ONLY)
    assert answered.status_code == 302
    page = client.get(answered.headers["Location"]).get_data(as_text=True)
    assert "Recommended level: Trauma Informed" in page
    assert "You answered “Yes” to: Do they have direct contact" in page
    assert "Not Trauma Specialist or Trauma Responsive, because you answered “None of these”" in page
    assert "Talked it through." in page and "Awareness and knowledge, Skills they use in practice" in page

    with app.app_context():
        kept = db.session.scalar(select(NeedsAssessment))
        assert (kept.team_id, kept.recommended_level, kept.assessed_by) == (
            org.team_a,
            "informed",
            org.manager_a.id,
        )
        answers = {item["key"]: [a["key"] for a in item["answers"]] for item in json.loads(kept.answers)}
        assert answers == {
            "work": ["none"],
            "contact": ["yes"],
            "current": [],
            "needs": ["knowledge", "skills"],
        }
        assert db.session.get(Team, org.team_a).expected_level == "aware"  # nothing set until accepted
    accepted = client.post(f"/manage/training-needs/{kept.id}/accept", data={"level": "informed"})
    assert accepted.status_code == 302
    after = client.get(accepted.headers["Location"]).get_data(as_text=True)
    assert "Expected level set to Trauma Informed" in after and "Accept and set" not in after
    with app.app_context():
        assert db.session.get(Team, org.team_a).expected_level == "informed"
        kept = db.session.get(NeedsAssessment, kept.id)
        assert (kept.accepted_by, kept.accepted_level) == (org.manager_a.id, "informed")
    subject = f"team:{org.team_a}"
    recorded = f"assessment:{kept.id}; recommended: informed"
    assert events(app, "needs_assessment.recorded") == [(org.manager_a.id, subject, recorded)]
    assert events(app, "needs_assessment.accepted") == [
        (org.manager_a.id, subject, f"assessment:{kept.id}; set: informed; recommended: informed")
    ]
    assert events(app, "team.updated") == [(org.manager_a.id, subject, "changed: expected level to informed")]
    again = client.post(f"/manage/training-needs/{kept.id}/accept", data={"level": "aware"})
    assert again.status_code == 400 and "already been accepted" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Team, org.team_a).expected_level == "informed"


def test_the_history_keeps_every_assessment_newest_first(app, organisation):
    client = signed_in(app, organisation.manager_a)
    url = f"/manage/training-needs/teams/{organisation.team_a}"
    client.post(f"{url}/new", data=CONTACT_ONLY)
    client.post(f"{url}/new", data={"work": ["leading", "safeguarding"], "contact": "no"})
    history = client.get(url).get_data(as_text=True)
    assert history.index("Trauma Responsive") < history.index("Trauma Informed")
    assert history.count("Not accepted") == 2 and "Mona Manager" in history


def test_a_manager_may_choose_another_level_and_the_audit_says_so(app, organisation):
    client = signed_in(app, organisation.manager_a)
    client.post(f"/manage/training-needs/teams/{organisation.team_a}/new", data=CONTACT_ONLY)
    with app.app_context():
        assessment_id = db.session.scalar(select(NeedsAssessment.id))
    refused = client.post(f"/manage/training-needs/{assessment_id}/accept", data={"level": "made-up"})
    assert refused.status_code == 400 and "Choose the level to set" in refused.get_data(as_text=True)
    client.post(f"/manage/training-needs/{assessment_id}/accept", data={"level": "responsive"})
    with app.app_context():
        assert db.session.get(Team, organisation.team_a).expected_level == "responsive"
    assert events(app, "needs_assessment.accepted")[0][2].endswith("set: responsive; recommended: informed")


def test_unanswered_questions_are_named_and_nothing_is_kept(app, organisation):
    client = signed_in(app, organisation.manager_a)
    response = client.post(
        f"/manage/training-needs/teams/{organisation.team_a}/new",
        data={"work": ["none", "leading"], "notes": "x" * 5001},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page
    assert "Choose &#34;None of these&#34; on its own, or only the answers that fit" in page
    assert 'href="#contact">Answer: Do they have direct contact' in page
    assert "Notes can be 5,000 characters or fewer" in page
    assert 'value="leading" checked' in page  # what was chosen is kept on the page
    with app.app_context():
        assert db.session.scalar(select(NeedsAssessment)) is None
    assert events(app, "needs_assessment.recorded") == []


def test_another_teams_manager_gets_404_for_everything(app, organisation):
    org = organisation
    owner = signed_in(app, org.manager_a)
    owner.post(f"/manage/training-needs/teams/{org.team_a}/new", data=CONTACT_ONLY)
    with app.app_context():
        assessment_id = db.session.scalar(select(NeedsAssessment.id))
    other = signed_in(app, org.manager_b)
    for url in (
        f"/manage/training-needs/teams/{org.team_a}",
        f"/manage/training-needs/teams/{org.team_a}/new",
        f"/manage/training-needs/{assessment_id}",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/manage/training-needs/teams/{org.team_a}/new", data=CONTACT_ONLY).status_code == 404
    assert (
        other.post(f"/manage/training-needs/{assessment_id}/accept", data={"level": "aware"}).status_code
        == 404
    )
    assert "Housing" not in other.get("/manage/training-needs/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Team, org.team_a).expected_level == "aware"
        assert len(db.session.scalars(select(NeedsAssessment)).all()) == 1
    assert other.get("/manage/training-needs/99999").status_code == 404


def test_an_admin_assesses_a_persons_role_and_sets_their_own_level(app, organisation):
    org = organisation
    admin = signed_in(app, org.admin)
    person = admin.get(f"/admin/people/{org.b1.id}").get_data(as_text=True)
    assert f"/manage/training-needs/people/{org.b1.id}" in person
    url = f"/manage/training-needs/people/{org.b1.id}"
    done = admin.post(f"{url}/new", data={"work": "therapy", "contact": "yes"})
    assert done.status_code == 302
    assert "Recommended level: Trauma Specialist" in admin.get(done.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        assessment_id = db.session.scalar(select(NeedsAssessment.id))
    admin.post(f"/manage/training-needs/{assessment_id}/accept", data={"level": "specialist"})
    with app.app_context():
        assert db.session.get(User, org.b1.id).expected_level == "specialist"
    assert events(app, "user.updated") == [
        (org.admin.id, f"user:{org.b1.id}", "changed: expected level to specialist")
    ]
    assert (org.admin.id, f"user:{org.b1.id}", None) in events(app, "needs_assessment.viewed")
    manager = signed_in(app, org.manager_b)  # b1's own manager: person assessments are for admins
    assert manager.get(f"/manage/training-needs/{assessment_id}").status_code == 404
    assert manager.get(url).status_code == 403
    assert admin.get("/manage/training-needs/people/99999").status_code == 404


def test_an_admin_can_assess_any_team(app, organisation):
    admin = signed_in(app, organisation.admin)
    index = admin.get("/manage/training-needs/").get_data(as_text=True)
    assert "Housing" in index and "Libraries" in index
    done = admin.post(f"/manage/training-needs/teams/{organisation.team_b}/new", data=CONTACT_ONLY)
    assert done.status_code == 302


def test_the_hampshire_scheme_brings_its_own_questions(make_app, make_user):
    app = make_app(LEVEL_SCHEME="hampshire")
    manager = make_user("manager")
    team = add_team(app, "Refuge", level=None, managers=[manager])
    client = signed_in(app, manager)
    form = client.get(f"/manage/training-needs/teams/{team}/new").get_data(as_text=True)
    assert "Is the service set up to support people who are known to have been affected by trauma?" in form
    assert "Trauma Skilled" in form  # the level questions list Hampshire's levels
    done = client.post(
        f"/manage/training-needs/teams/{team}/new",
        data={"remit": "yes", "specialist": "no", "contact": "yes"},
    )
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Recommended level: Trauma Enhanced" in page
    assert "Not Trauma Specialist, because you answered “No” to: Does anyone in this team" in page


def test_a_scheme_without_questions_says_so(make_app, make_user, tmp_path):
    scheme = tmp_path / "plain.yaml"
    scheme.write_text(
        "name: Plain scheme\nlevels:\n  - key: aware\n    name: Aware\nthemes:\n  - key: t\n    name: T\n",
        encoding="utf-8",
    )
    app = make_app(LEVEL_SCHEME=str(scheme))
    manager = make_user("manager")
    team = add_team(app, "Desk", managers=[manager])
    client = signed_in(app, manager)
    for response in (
        client.get(f"/manage/training-needs/teams/{team}/new"),
        client.post(f"/manage/training-needs/teams/{team}/new", data=CONTACT_ONLY),
    ):
        assert response.status_code == 200
        assert "Plain scheme, does not include training-needs questions" in response.get_data(as_text=True)


def test_the_planning_forms_refuse_a_post_without_its_csrf_token(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    manager, learner, admin = make_user("manager"), make_user("learner"), make_user("admin")
    team = add_team(app, "Housing", managers=[manager], members=[learner])
    with app.app_context():
        development_plans.save_plan(learner.id, {"role": "Duty officer"}, None, load_scheme(), {})
        development_plans.set_sharing(learner.id, True)
        assessment = needs_assessment.record_assessment(
            manager.id, {"work": ["none"], "contact": ["no"]}, team_id=team
        )
        assessment_id = assessment.id
    posts = {
        manager: [
            (f"/manage/training-needs/teams/{team}/new", CONTACT_ONLY),
            (f"/manage/training-needs/{assessment_id}/accept", {"level": "informed"}),
            (f"/manage/plans/{learner.id}", {"agreed_plan": "Agreed."}),
        ],
        admin: [(f"/manage/training-needs/people/{learner.id}/new", CONTACT_ONLY)],
        learner: [
            ("/my-plan/", {"role": "Changed"}),
            ("/my-plan/sharing", {"share": "no"}),
            ("/my-plan/delete", {}),
        ],
    }
    assert_refused_without_token(app, posts)
    with app.app_context():
        plan = db.session.scalar(select(DevelopmentPlan))
        assert (plan.role, plan.agreed_plan) == ("Duty officer", None) and plan.shared_at is not None
        assert len(db.session.scalars(select(NeedsAssessment)).all()) == 1
        assert db.session.get(NeedsAssessment, assessment_id).accepted_at is None
        assert db.session.get(Team, team).expected_level == "aware"


def test_answers_given_under_another_scheme_cannot_set_a_level(make_app, make_user):
    west_midlands = make_app()
    manager = make_user("manager")
    team = add_team(west_midlands, "Housing", managers=[manager])
    first = signed_in(west_midlands, manager)
    assert first.post(f"/manage/training-needs/teams/{team}/new", data=CONTACT_ONLY).status_code == 302
    with west_midlands.app_context():
        assessment_id = db.session.scalar(select(NeedsAssessment.id))
    hampshire = make_app(LEVEL_SCHEME="hampshire")
    client = signed_in(hampshire, manager)
    page = client.get(f"/manage/training-needs/{assessment_id}").get_data(as_text=True)
    assert "The site now uses the Hampshire Trauma Informed Workforce Framework" in page
    assert "Accept and set" not in page and "Do they have direct contact" in page  # the answers as kept
    refused = client.post(f"/manage/training-needs/{assessment_id}/accept", data={"level": "informed"})
    assert refused.status_code == 400 and "Answer the questions again" in refused.get_data(as_text=True)
    with hampshire.app_context():
        assert db.session.get(Team, team).expected_level == "aware"
