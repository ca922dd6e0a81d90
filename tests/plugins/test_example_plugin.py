"""The example plug-in package, installed like any package, works for trainers and learners.

tilearn finds it only through its entry points (tilearn.blocks, tilearn.modules, tilearn.plugins);
nothing in tilearn's code names it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from sqlalchemy import select

from tests.conftest import EXAMPLE_PLUGIN, FIXTURE_MODULES
from tilearn.extensions import db
from tilearn.models import CompletionRecord
from tilearn.services import quizzes
from tilearn.web.library_state import current_library

MODULE = "putting-support-in-order"
SECTION = f"/learn/{MODULE}/a-calm-response"
STEPS = (
    "Notice how you are feeling",
    "Take a slow breath",
    "Listen without rushing",
    "Agree what happens next together",
)


def _env(target) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(target), "PYTHONDONTWRITEBYTECODE": "1"}


def test_the_plugins_own_tests_pass_against_this_tilearn(example_plugin_dir):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE_PLUGIN / "tests")],
        cwd=EXAMPLE_PLUGIN,
        env=_env(example_plugin_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_the_module_it_ships_lints_clean_from_the_command_line(example_plugin_dir, tmp_path):
    env = {
        **_env(example_plugin_dir),
        "TILEARN_ENV": "development",
        "TILEARN_SECRET_KEY": "x" * 32,
        "TILEARN_INSTANCE_PATH": str(tmp_path),
        "TILEARN_MODULES_DIRS": f'["{FIXTURE_MODULES}"]',
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tilearn", "modules", "lint", "--strict"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 module(s) checked: 0 error(s), 0 warning(s)" in result.stdout


def _order_form(html: str) -> dict[str, str]:
    """The position fields as shown, filled with the right order (read from the labels)."""
    fields = re.findall(r'<label class="govuk-label" for="(q-first-steps-\d)">([^<]+)</label>', html)
    assert len(fields) == 4, html
    return {field: str(STEPS.index(label) + 1) for field, label in fields}


def test_a_learner_answers_the_order_question_and_completes(example_plugin, app, client, make_user, sign_in):
    learner = make_user("learner")
    sign_in(learner)

    page = client.get(SECTION).get_data(as_text=True)
    assert "Key point" in page and "A settled helper helps others settle." in page
    assert "Put these steps in the order you would take them." in page
    shown = re.findall(r'<label class="govuk-label" for="q-first-steps-\d">([^<]+)</label>', page)
    assert sorted(shown) == sorted(STEPS) and tuple(shown) != STEPS  # never shown in the right order
    assert "Position 1" not in page and "Noticing your own state" not in page  # no answers, no feedback yet
    assert "Check my answers" in page

    right = _order_form(page)
    wrong = dict(right)
    first, second = sorted(right, key=right.get)[:2]
    wrong[first], wrong[second] = right[second], right[first]
    client.post(f"{SECTION}/answers", data={"attempt_key": "a1", **wrong})
    page = client.get(f"{SECTION}?note=continue").get_data(as_text=True)
    assert "Not quite yet" in page and "Noticing your own state first" in page
    assert "wrong" not in page.lower() and "fail" not in page.lower()

    client.post(f"{SECTION}/answers", data={"attempt_key": "a2", **right})
    page = client.get(f"{SECTION}?note=continue").get_data(as_text=True)
    assert "That’s right." in page and "Not quite yet" not in page
    with app.app_context():
        module = current_library().get(MODULE)
        assert quizzes.module_score(learner.id, module) == 100

    response = client.post(f"{SECTION}/done")
    assert response.headers["Location"].endswith(f"/learn/{MODULE}/finished")
    with app.app_context():
        records = db.session.scalars(select(CompletionRecord)).all()
        assert [(r.module_id, r.score) for r in records] == [(MODULE, 100)]
    counts = app.extensions["tilearn_order_question"]
    assert counts["modules_completed"] == 1 and counts["senders"] == [app]  # the app is the sender


def test_trainers_preview_the_plugin_blocks_with_the_answer(example_plugin, client, make_user, sign_in):
    sign_in(make_user("trainer"))
    index = client.get("/author/").get_data(as_text=True)
    assert MODULE in index
    page = client.get(f"/author/{MODULE}").get_data(as_text=True)
    assert "Key point" in page
    positions = [page.index(step) for step in STEPS]
    assert positions == sorted(positions) and "Position 4" in page
    assert "Deciding together gives the person a say" in page  # feedback shown to trainers


def test_without_the_plugin_its_module_is_not_there(app):
    with app.app_context():
        assert current_library().get(MODULE) is None
