"""Trauma-informed by design, tested: no timers, no fail wording, no answers before checking."""

from __future__ import annotations

import re

import pytest

from tilearn.config import PROJECT_ROOT
from tilearn.web.library_state import current_library

TEMPLATES = sorted((PROJECT_ROOT / "tilearn" / "templates").rglob("*.html"))
PRESSURE = re.compile(
    r"\b(fail\w*|wrong|incorrect|timer|countdown|time limit expired|hurry|streak\w*|confetti|score board|"
    r"leaderboard|you must finish)\b",
    re.IGNORECASE,
)
NO_TIME_LIMIT = "There is no time limit"


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.name for p in TEMPLATES])
def test_no_pressure_words_in_any_template(path):
    text = path.read_text(encoding="utf-8")
    assert PRESSURE.findall(text) == []
    assert '<meta http-equiv="refresh"' not in text.lower()  # nothing moves on by itself


def test_no_timers_or_auto_submit_in_scripts():
    scripts = (PROJECT_ROOT / "tilearn" / "static" / "js").rglob("*.mjs")
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        assert "setTimeout" not in text and "setInterval" not in text and "submit(" not in text


@pytest.fixture
def shipped(make_app, make_user, sign_in):
    app = make_app(MODULES_DIRS=[str(PROJECT_ROOT / "modules")])
    client = app.test_client()
    sign_in(make_user(), target=client)
    with app.app_context():
        return client, list(current_library().modules.values())


def test_no_answer_or_feedback_is_in_any_section_before_checking(shipped):
    client, modules = shipped
    checked = 0
    for module in modules:
        for section in module.sections:
            html = client.get(f"/learn/{module.id}/{section.id}?note=continue").get_data(as_text=True)
            for question in section.questions:
                for option in question.options:
                    assert option.feedback_html not in html, f"{module.id}/{question.id} feedback leaked"
                checked += 1
            if section.questions:
                assert NO_TIME_LIMIT in html
            assert PRESSURE.findall(re.sub(r"<[^>]+>", " ", html)) == [], f"{module.id}/{section.id}"
    assert checked >= 40


def test_every_learning_page_has_pause_and_quick_exit(shipped):
    client, modules = shipped
    module = modules[0]
    pages = [
        "/",
        f"/learn/{module.id}",
        f"/learn/{module.id}/{module.sections[0].id}?note=continue",
        "/grounding",
    ]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "govuk-exit-this-page" in html and "https://www.bbc.co.uk/weather" in html, url
    section_html = client.get(pages[2]).get_data(as_text=True)
    assert 'action="/pause"' in section_html or 'formaction="/pause"' in section_html


def test_sign_in_errors_are_summarised_and_linked(client):
    html = client.post("/sign-in", data={"email": "", "password": ""}).get_data(as_text=True)
    assert 'class="govuk-error-summary"' in html and 'role="alert"' in html
    assert '<a href="#email">Enter your email address</a>' in html
    assert '<a href="#password">Enter your password</a>' in html
    assert html.count('class="govuk-error-message"') == 2
    assert "<title>Error: Sign in" in html


def test_a_malformed_choice_gets_a_plain_answer_and_changes_nothing(client, make_user, sign_in):
    sign_in(make_user())
    response = client.post("/learn/worked-example/harder-day/choice", data={"choice": "explode"})
    assert response.status_code == 400
    assert "Nothing you had saved has been lost" in response.get_data(as_text=True)
    assert client.post("/learn/no-such-module/x/done").status_code == 404
    assert client.post("/learn/worked-example/no-such-section/done").status_code == 404
