"""The journey also completes a real shipped module, answering from the server's own module."""

from __future__ import annotations

import re

from sqlalchemy import select

from tilearn.config import PROJECT_ROOT
from tilearn.extensions import db
from tilearn.models import CompletionRecord
from tilearn.web.library_state import current_library


def test_a_learner_completes_a_shipped_module(make_app, make_user, sign_in):
    app = make_app(MODULES_DIRS=[str(PROJECT_ROOT / "modules")])
    client = app.test_client()
    learner = make_user("learner")
    sign_in(learner, target=client)
    with app.app_context():
        module = current_library().get("aware-starting-gently")
    assert module is not None
    assert module.title in client.get("/").get_data(as_text=True)
    for section in module.sections:
        page = client.get(f"/learn/{module.id}/{section.id}?note=continue")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert section.title.replace("'", "&#39;") in html or section.title in html
        if section.questions:
            key = re.search(r'name="attempt_key" value="([^"]+)"', html).group(1)
            data = {f"q-{q.id}": [str(i) for i in sorted(q.correct_choices())] for q in section.questions}
            assert (
                client.post(
                    f"/learn/{module.id}/{section.id}/answers", data={**data, "attempt_key": key}
                ).status_code
                == 302
            )
        client.post(f"/learn/{module.id}/{section.id}/done")
    finished = client.get(f"/learn/{module.id}/finished").get_data(as_text=True)
    assert "Module completed" in finished
    with app.app_context():
        record = db.session.scalar(select(CompletionRecord))
        assert (record.module_id, record.score, record.module_version) == (module.id, 100, module.version)


def test_the_trainer_preview_fills_in_level_names(make_app, make_user, sign_in):
    app = make_app(MODULES_DIRS=[str(PROJECT_ROOT / "modules")])
    client = app.test_client()
    sign_in(make_user("trainer"), target=client)
    page = client.get("/author/aware-starting-gently")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "[[level" not in html and "Level 1: Trauma Aware" in html
