"""The privacy wall: what a learner does to look after themselves never reaches a manager or trainer."""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader
from sqlalchemy import select

from tests.support.learning import MARKER, MODULE, complete, look_after_myself
from tests.web.conftest import add_team
from tilearn.extensions import db
from tilearn.models import (
    AuditEvent,
    CompletionRecord,
    DevelopmentPlan,
    EvaluationInvitation,
    EvaluationOptOut,
    EvaluationResponse,
)

#: a private plan holding the marker, with a confidence rating
PRIVATE_PLAN = {
    "service_remit": MARKER,
    "role": MARKER,
    "level": "aware",
    "strengths": MARKER,
    "areas_to_develop": MARKER,
    "rated_level": "aware",
    "confidence-0": "1",
}


def write_private_plan(client) -> None:
    """Write a development plan and keep it private (the default); it must be saved."""
    assert client.post("/my-plan/", data=PRIVATE_PLAN).status_code == 302
    page = client.get("/my-plan/").get_data(as_text=True)
    assert MARKER in page and "Not shared: private" in page


def answer_evaluation(client, stage: str, answers: dict[str, str]) -> None:
    """Answer the Trauma Aware questionnaire for this stage; it must be kept."""
    page = client.post(f"/evaluation/aware/{stage}", data=answers)
    assert page.status_code == 200 and "Thank you" in page.get_data(as_text=True)


def test_managers_see_the_same_for_both_and_never_the_marker(app, make_user, sign_in, caplog):
    caplog.set_level(logging.DEBUG)
    careful = make_user("learner", name="Careful Person", email="careful@example.org")
    plain = make_user("learner", name="Plain Person", email="plain@example.org")
    manager = make_user("manager", name="Mo Manager")
    admin = make_user("admin", name="Ada Admin")
    trainer = make_user("trainer", name="Tia Trainer")
    team_careful = add_team(app, "Team One", managers=[manager], members=[careful])
    team_plain = add_team(app, "Team Two", managers=[manager], members=[plain])

    learner_client = app.test_client()
    sign_in(careful, target=learner_client)
    answer_evaluation(learner_client, "before", {"confidence": "1", "knowledge": "1", "hopes": MARKER})
    look_after_myself(app, learner_client, careful.id)
    write_private_plan(learner_client)
    complete(learner_client)
    answer_evaluation(learner_client, "after", {"confidence": "4", "safe": "1", "comments": MARKER})
    # "Stop asking me about evaluations" is the learner's own: no manager or admin page may change.
    assert learner_client.post("/evaluation/stop-asking").status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(EvaluationResponse)).all()) == 2
        answered = db.session.scalars(select(EvaluationInvitation.user_id)).all()
        assert answered == [careful.id, careful.id]
        assert db.session.scalars(select(EvaluationOptOut.user_id)).all() == [careful.id]
    plain_client = app.test_client()
    sign_in(plain, target=plain_client)
    complete(plain_client)
    assert MARKER in learner_client.get(f"{MODULE}/harder-day?note=continue").get_data(as_text=True)

    with app.app_context():
        records = {r.user_id: r for r in db.session.scalars(select(CompletionRecord))}
    mask = {
        careful.name: "NAME",
        plain.name: "NAME",
        careful.email: "EMAIL",
        plain.email: "EMAIL",
        "Team One": "TEAM",
        "Team Two": "TEAM",
        records[careful.id].verification_code: "CODE",
        records[plain.id].verification_code: "CODE",
    }

    def masked(text: str, user, team_id) -> str:
        for value, label in mask.items():
            text = text.replace(value, label)
        text = text.replace(f"/learners/{user.id}", "/learners/ID").replace(
            f"certificates/{records[user.id].id}.pdf", "certificates/RID.pdf"
        )
        text = re.sub(r'<select class="govuk-select" id="team".*?</select>', "TEAM-FILTER", text, flags=re.S)
        text = text.replace(f"team={team_id}", "team=TEAMID").replace(f"/teams/{team_id}", "/teams/TEAMID")
        text = text.replace(f"/people/{user.id}", "/people/ID")
        return re.sub(r'name="csrf_token" value="[^"]+"', "CSRF", text)

    seen: list[str] = []
    for viewer in (manager, admin):
        client = app.test_client()
        sign_in(viewer, target=client)
        pages, unmasked = {}, {}
        for user, team_id in ((careful, team_careful), (plain, team_plain)):
            report = client.get(f"/manage/?team={team_id}").get_data(as_text=True)
            learner_page = client.get(f"/manage/learners/{user.id}").get_data(as_text=True)
            csv_text = client.get(f"/manage/report.csv?team={team_id}").get_data(as_text=True)
            pdf = client.get(f"/manage/learners/{user.id}/certificates/{records[user.id].id}.pdf").data
            pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
            verify = client.get(f"/verify/{records[user.id].verification_code}").get_data(as_text=True)
            needs_index = client.get("/manage/training-needs/").get_data(as_text=True)
            needs_team = client.get(f"/manage/training-needs/teams/{team_id}").get_data(as_text=True)
            plans = client.get("/manage/plans/").get_data(as_text=True)
            plan = client.get(f"/manage/plans/{user.id}")
            assert plan.status_code == 404  # private: not even its existence shows
            # It lists both teams: compared with only the form token masked.
            unmasked[user.id] = re.sub(r'name="csrf_token" value="[^"]+"', "CSRF", needs_index)
            texts = [
                report,
                learner_page,
                csv_text,
                pdf_text,
                verify,
                needs_team,
                plans,
                plan.get_data(as_text=True),
            ]
            if viewer is admin:  # the admin's own pages about the person
                needs_person = client.get(f"/manage/training-needs/people/{user.id}").get_data(as_text=True)
                texts.append(needs_person)
                person = client.get(f"/admin/people/{user.id}").get_data(as_text=True)
                listing = client.get(f"/admin/people?q={user.email}").get_data(as_text=True)
                assert user.name in person and user.name in listing
                person = re.sub(
                    r'<select class="govuk-select[^"]*" id="team".*?</select>', "TEAM", person, flags=re.S
                )
                texts += [
                    page.replace(f"/admin/people/{user.id}", "/admin/people/ID") for page in (person, listing)
                ]
            pages[user.id] = [masked(t, user, team_id) for t in texts]
            seen += texts
        assert len(pages[careful.id]) == (11 if viewer is admin else 8)
        assert unmasked[careful.id] == unmasked[plain.id]
        seen += unmasked.values()
        for careful_page, plain_page in zip(pages[careful.id], pages[plain.id], strict=True):
            assert careful_page == plain_page
    trainer_client = app.test_client()
    sign_in(trainer, target=trainer_client)
    seen += [trainer_client.get(url).get_data(as_text=True) for url in ("/author/", "/author/worked-example")]
    for text in seen:
        assert MARKER not in text
        for private in ("skip", "pause", "grounding", "reflection", "plan"):
            assert f"{careful.name} {private}" not in text
    with app.app_context():
        audit = " ".join(f"{e.action} {e.subject} {e.detail}" for e in db.session.scalars(select(AuditEvent)))
    assert MARKER not in audit
    assert MARKER not in caplog.text


def without_csrf(page: str) -> str:
    """A page with its CSRF token (which holds the time to the second) taken out."""
    return re.sub(r'name="csrf_token" value="[^"]+"', "CSRF", page)


def test_a_shared_plan_reaches_their_own_manager_and_nothing_else(app, make_user, sign_in):
    learner = make_user("learner", name="Sharing Person")
    own, other, admin = make_user("manager"), make_user("manager"), make_user("admin")
    team = add_team(app, "Team One", managers=[own], members=[learner])
    add_team(app, "Team Two", managers=[other])
    learner_client = app.test_client()
    sign_in(learner, target=learner_client)
    write_private_plan(learner_client)
    manager_client = app.test_client()
    sign_in(own, target=manager_client)
    manager_pages = (
        f"/manage/?team={team}",
        f"/manage/report.csv?team={team}",
        f"/manage/learners/{learner.id}",
    )
    private = [without_csrf(manager_client.get(url).get_data(as_text=True)) for url in manager_pages]

    assert learner_client.post("/my-plan/sharing", data={"share": "yes"}).status_code == 302
    shown = manager_client.get(f"/manage/plans/{learner.id}").get_data(as_text=True)
    assert MARKER in shown and "Not confident yet" in shown
    assert [without_csrf(manager_client.get(url).get_data(as_text=True)) for url in manager_pages] == private
    for viewer in (other, admin):
        client = app.test_client()
        sign_in(viewer, target=client)
        assert client.get(f"/manage/plans/{learner.id}").status_code == 404
        assert MARKER not in client.get("/manage/plans/").get_data(as_text=True)
    with app.app_context():
        audit = " ".join(f"{e.action} {e.subject} {e.detail}" for e in db.session.scalars(select(AuditEvent)))
        assert db.session.scalar(select(DevelopmentPlan.shared_at)) is not None
    assert MARKER not in audit and "development_plan.viewed" in audit

    learner_client.post("/my-plan/sharing", data={"share": "no"})
    assert manager_client.get(f"/manage/plans/{learner.id}").status_code == 404
    assert MARKER not in manager_client.get("/manage/plans/").get_data(as_text=True)
