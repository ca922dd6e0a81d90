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
)


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
    look_after_myself(app, learner_client, careful.id)
    complete(learner_client)
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
        text = text.replace(f"team={team_id}", "team=TEAMID")
        return re.sub(r'name="csrf_token" value="[^"]+"', "CSRF", text)

    seen: list[str] = []
    for viewer in (manager, admin):
        client = app.test_client()
        sign_in(viewer, target=client)
        pages = {}
        for user, team_id in ((careful, team_careful), (plain, team_plain)):
            report = client.get(f"/manage/?team={team_id}").get_data(as_text=True)
            learner_page = client.get(f"/manage/learners/{user.id}").get_data(as_text=True)
            csv_text = client.get(f"/manage/report.csv?team={team_id}").get_data(as_text=True)
            pdf = client.get(f"/manage/learners/{user.id}/certificates/{records[user.id].id}.pdf").data
            pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
            verify = client.get(f"/verify/{records[user.id].verification_code}").get_data(as_text=True)
            texts = [report, learner_page, csv_text, pdf_text, verify]
            if viewer is admin:  # the admin's own pages about the person
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
        assert len(pages[careful.id]) == (7 if viewer is admin else 5)
        for careful_page, plain_page in zip(pages[careful.id], pages[plain.id], strict=True):
            assert careful_page == plain_page
    trainer_client = app.test_client()
    sign_in(trainer, target=trainer_client)
    seen += [trainer_client.get(url).get_data(as_text=True) for url in ("/author/", "/author/worked-example")]
    for text in seen:
        assert MARKER not in text
        for private in ("skip", "pause", "grounding", "reflection"):
            assert f"{careful.name} {private}" not in text
    with app.app_context():
        audit = " ".join(f"{e.action} {e.subject} {e.detail}" for e in db.session.scalars(select(AuditEvent)))
    assert MARKER not in audit
    assert MARKER not in caplog.text
