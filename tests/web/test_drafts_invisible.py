"""Drafts are private: no page a learner, a manager or the public can reach shows anything of one."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from tests.support.learning import MODULE, complete
from tilearn.extensions import db
from tilearn.models import CompletionRecord
from tilearn.services import drafts
from tilearn.web.author.drafts import published_text

SECRET_ID = "aware-secret-draft"
NEW_MARKER = "DRAFT-ONLY-MARKER-first-section"
CHANGED_MARKER = "DRAFT-CHANGE-MARKER-survival"
CHANGED_TITLE = "Retitled in a draft"


def make_drafts(app, trainer_id: int) -> None:
    """A draft of a module that is not published anywhere, and a changed draft of the worked example."""
    with app.test_request_context():
        drafts.start_from_template(trainer_id, SECRET_ID, "Secret draft", "aware", set())
        text = drafts.get_draft(SECRET_ID).markdown.replace("Write what learners read", NEW_MARKER)
        assert NEW_MARKER in text
        drafts.save_text(trainer_id, SECRET_ID, text)
        markdown, files, label = published_text("worked-example")
        drafts.start_from_published(trainer_id, "worked-example", markdown, files, label)
        changed = (
            markdown.replace('version: "1.2"', 'version: "7.7.7"')
            .replace("Noticing stress in ourselves and others", CHANGED_TITLE)
            .replace("When we sense danger", f"{CHANGED_MARKER} When we sense danger")
        )
        assert '"7.7.7"' in changed and CHANGED_MARKER in changed and CHANGED_TITLE in changed
        drafts.save_text(trainer_id, "worked-example", changed)
        db.session.commit()


def assert_nothing_of_the_drafts(page: str, where: str) -> None:
    for marker in (SECRET_ID, "Secret draft", NEW_MARKER, CHANGED_MARKER, CHANGED_TITLE, "7.7.7"):
        assert marker not in page, f"{marker!r} shows on {where}"


def test_no_learner_manager_or_public_page_shows_a_draft(app, make_user, sign_in, organisation):
    org = organisation
    make_drafts(app, make_user("trainer").id)
    learner = app.test_client()
    sign_in(org.a1, target=learner)
    complete(learner)
    with app.app_context():
        query = select(CompletionRecord.id, CompletionRecord.verification_code)
        record_id, code = db.session.execute(query).one()
    learner_pages = [
        "/",
        MODULE,
        f"{MODULE}/survival-responses?note=continue",
        f"{MODULE}/harder-day?note=continue",
        f"{MODULE}/finished",
        "/certificates",
        f"/certificates/{record_id}",
        "/my-data",
        "/glossary",
    ]
    for url in learner_pages:
        response = learner.get(url)
        assert response.status_code == 200, url
        assert_nothing_of_the_drafts(response.get_data(as_text=True), url)
    assert "Noticing stress in ourselves and others" in learner.get(MODULE).get_data(as_text=True)
    for url in (f"/learn/{SECRET_ID}", f"/learn/{SECRET_ID}/first-section", f"/author/drafts/{SECRET_ID}"):
        assert learner.get(url).status_code in (403, 404), url
    pdf = learner.get(f"/certificates/{record_id}.pdf")
    assert pdf.status_code == 200 and b"7.7.7" not in pdf.data

    manager = app.test_client()
    sign_in(org.manager_a, target=manager)
    for url in ("/manage/", f"/manage/learners/{org.a1.id}", "/manage/?status=not+started"):
        response = manager.get(url)
        assert response.status_code == 200, url
        assert_nothing_of_the_drafts(response.get_data(as_text=True), url)
    assert manager.get(f"/author/drafts/{SECRET_ID}").status_code == 403
    exported = manager.get("/manage/report.csv").get_data(as_text=True)
    assert_nothing_of_the_drafts(exported, "the CSV")
    rows = list(csv.reader(io.StringIO(exported)))
    ann = next(row for row in rows if row[0] == "Ann Able")
    assert ann[4:6] == ["worked-example", "Noticing stress in ourselves and others"] and ann[7] == "completed"
    assert all(row[4] != SECRET_ID for row in rows)

    public = app.test_client()
    for url in (f"/verify/{code}", "/verify/"):
        response = public.get(url)
        assert response.status_code == 200, url
        assert_nothing_of_the_drafts(response.get_data(as_text=True), url)
    assert "1.2" in public.get(f"/verify/{code}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(CompletionRecord.module_version)) == "1.2"
