"""The whole learner journey through the test client, on the worked-example fixture module."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text

from tests.support.learning import attempt_key
from tilearn.extensions import db
from tilearn.models import AuditEvent, CompletionRecord, GroundingVisit, SectionDeferral
from tilearn.models.types import utcnow

MODULE = "/learn/worked-example"


def test_learner_completes_the_worked_example(app, client, make_user, sign_in):
    learner = make_user("learner")
    sign_in(learner)

    page = client.get("/").get_data(as_text=True)
    assert "Noticing stress in ourselves and others" in page
    assert "Not started" in page

    overview = client.get(MODULE).get_data(as_text=True)
    assert "About 6 minutes" in overview and "Workplace stress (mentioned)" in overview

    section = client.get(f"{MODULE}/survival-responses").get_data(as_text=True)
    assert "Section 1 of 2" in section
    # The right answer is not marked anywhere in the page before the learner checks.
    assert "Freezing is one of the five" not in section and "Right answer" not in section

    response = client.post(
        f"{MODULE}/survival-responses/answers", data={"attempt_key": attempt_key(section), "q-q-five-fs": "1"}
    )
    assert response.status_code == 302
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not quite yet" in feedback and "Focus is not one of the five" in feedback

    section = client.get(f"{MODULE}/survival-responses").get_data(as_text=True)
    client.post(
        f"{MODULE}/survival-responses/answers", data={"attempt_key": attempt_key(section), "q-q-five-fs": "0"}
    )
    feedback = client.get(f"{MODULE}/survival-responses?note=continue").get_data(as_text=True)
    assert "That’s right." in feedback and "Freezing is one of the five" in feedback

    response = client.post(f"{MODULE}/survival-responses/done")
    assert response.headers["Location"].endswith(f"{MODULE}/harder-day")

    note = client.get(f"{MODULE}/harder-day").get_data(as_text=True)
    assert "Before you read" in note and "stress at work" in note
    response = client.post(f"{MODULE}/harder-day/choice", data={"choice": "continue"})
    section = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sam’s shift" in section or "Sam's shift" in section
    client.post(
        f"{MODULE}/harder-day/answers",
        data={
            "attempt_key": attempt_key(section),
            "q-q-helps": ["0", "1"],
            "q-q-same": "1",
        },
    )
    response = client.post(f"{MODULE}/harder-day/done")
    assert response.headers["Location"].endswith(f"{MODULE}/finished")
    finished = client.get(f"{MODULE}/finished").get_data(as_text=True)
    assert "Module completed" in finished
    with app.app_context():
        records = db.session.scalars(select(CompletionRecord)).all()
        assert len(records) == 1 and records[0].score == 100 and records[0].module_version == "1.2"
    assert "Completed" in client.get("/").get_data(as_text=True)


def test_skipping_an_optional_section_still_allows_completion(app, client, make_user, sign_in):
    sign_in(make_user("learner"))
    section = client.get(f"{MODULE}/survival-responses").get_data(as_text=True)
    client.post(
        f"{MODULE}/survival-responses/answers", data={"attempt_key": attempt_key(section), "q-q-five-fs": "0"}
    )
    client.post(f"{MODULE}/survival-responses/done")
    response = client.post(f"{MODULE}/harder-day/choice", data={"choice": "skip"})
    assert response.headers["Location"].endswith(MODULE)
    overview = client.get(MODULE).get_data(as_text=True)
    assert "To come back to" in overview and "A harder day" in overview
    assert "Completed on" in overview
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SectionDeferral)) == 1
        # the skipped section is optional and its questions are practice: the module is complete
        assert db.session.scalar(select(func.count()).select_from(CompletionRecord)) == 1


def test_pausing_from_the_overview_returns_to_the_overview(client, make_user, sign_in):
    sign_in(make_user())
    response = client.post("/pause", data={"module_id": "worked-example"})
    assert response.headers["Location"].endswith("/grounding?module=worked-example")
    page = client.get("/grounding").get_data(as_text=True)
    assert 'href="/learn/worked-example"' in page and "Go back to “Noticing stress" in page
    assert (
        client.post("/pause", data={"module_id": "worked-example", "section_id": "nope"}).status_code == 404
    )


def test_pausing_keeps_unchecked_answers_for_the_return(client, make_user, sign_in):
    sign_in(make_user())
    client.post(
        "/pause", data={"module_id": "worked-example", "section_id": "survival-responses", "q-q-five-fs": "1"}
    )
    page = client.get("/grounding").get_data(as_text=True)
    assert "with any answers you had chosen" in page
    back = client.get("/learn/worked-example/survival-responses?note=continue").get_data(as_text=True)
    assert 'id="q-q-five-fs-1" name="q-q-five-fs" type="radio" value="1" checked' in back
    assert "Not quite yet" not in back  # a draft is not marked


def _visits(app) -> list[tuple[int, str | None, str | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(GroundingVisit.user_id, GroundingVisit.module_id, GroundingVisit.section_id).order_by(
                GroundingVisit.id
            )
        )
        return [tuple(row) for row in rows]


def test_grounding_visits_are_recorded_with_where_the_learner_was(app, client, make_user, sign_in):
    learner = make_user()
    client.get("/grounding?module=worked-example&section=survival-responses")
    assert _visits(app) == []  # nobody signed in: nothing recorded
    sign_in(learner)
    section = client.get(f"{MODULE}/survival-responses").get_data(as_text=True)
    menu_link = "/grounding?module=worked-example&amp;section=survival-responses"
    assert f'href="{menu_link}"' in section  # "Take a pause" in the menu says where they were
    assert 'href="/grounding"' in client.get("/").get_data(as_text=True)  # elsewhere it does not
    response = client.post("/pause", data={"module_id": "worked-example", "section_id": "survival-responses"})
    assert response.headers["Location"].endswith(menu_link.replace("&amp;", "&"))
    assert client.get(response.headers["Location"]).status_code == 200
    client.get(response.headers["Location"])  # a reload is the same visit
    client.get("/grounding?module=nope&section=survival-responses")  # not in the library: ignored
    client.get("/grounding?module=worked-example&section=nope")
    assert _visits(app) == [
        (learner.id, "worked-example", "survival-responses"),
        (learner.id, None, None),
        (learner.id, "worked-example", None),
    ]
    with app.app_context():  # private self-care: an audit entry would reveal it
        events = db.session.execute(select(AuditEvent.action, AuditEvent.subject, AuditEvent.detail)).all()
        assert not [e for e in events if "ground" in " ".join(str(v) for v in e)], events
    with app.app_context():  # later, the same place is a visit of its own
        db.session.execute(GroundingVisit.__table__.update().values(visited_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    client.get(response.headers["Location"])
    assert len(_visits(app)) == 4


def test_the_grounding_page_shows_even_when_its_visit_cannot_be_recorded(app, client, make_user, sign_in):
    sign_in(make_user())
    with app.app_context():  # a real failure to write: the table is not there
        db.session.execute(text("ALTER TABLE grounding_visits RENAME TO grounding_visits_away"))
        db.session.commit()
    try:
        response = client.get("/grounding?module=worked-example&section=survival-responses")
        assert response.status_code == 200 and "Slow breathing" in response.get_data(as_text=True)
        assert client.get("/").status_code == 200  # the failed record left nothing behind
    finally:
        with app.app_context():
            db.session.execute(text("ALTER TABLE grounding_visits_away RENAME TO grounding_visits"))
            db.session.commit()


def test_module_assets_are_served_and_nothing_else(make_app, make_user, sign_in, tmp_path):
    from tests.conftest import write_module

    path = write_module(tmp_path / "mods" / "with-image", body="## One {#one}\n\n![A dot](images/dot.png)\n")
    (path.parent / "images").mkdir()
    (path.parent / "images" / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    app = make_app(MODULES_DIRS=[str(tmp_path / "mods")])
    client = app.test_client()
    sign_in(make_user(), target=client)
    page = client.get("/learn/with-image/one").get_data(as_text=True)
    assert 'src="/learn/with-image/assets/images/dot.png"' in page
    image = client.get("/learn/with-image/assets/images/dot.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    image.close()
    assert client.get("/learn/with-image/assets/module.md").status_code == 404
    assert client.get("/learn/with-image/assets/../../with-image/module.md").status_code == 404
    assert client.get("/learn/with-image/assets/%2e%2e/%2e%2e/etc/passwd").status_code == 404
