"""Security events on a real gunicorn's stderr, started as docs/operating.md documents it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import FIXTURE_MODULES, PASSWORD
from tests.support.http import Browser
from tests.system.conftest import Server
from tests.web.conftest import add_team
from tilearn.config import PROJECT_ROOT

MODULE = "/learn/worked-example"
#: the answers that complete the worked example, by section
ANSWERS = (
    ("survival-responses", {"q-q-five-fs": "0"}),
    ("harder-day", {"q-q-helps": ["0", "1"], "q-q-same": "1"}),
)
#: an event line: UTC time to the millisecond, level, logger, then the event and who
LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO tilearn\.events event=(\S+) user=(\S+)( .*)?$"
)


def documented_arguments() -> tuple[str, ...]:
    """The options of the gunicorn command in docs/operating.md, bar --workers and --bind (the test's own)."""
    docs = (PROJECT_ROOT / "docs" / "operating.md").read_text()
    command = re.search(r"^gunicorn (.*) 'tilearn:create_app\(\)'$", docs, re.M)
    assert command, "docs/operating.md no longer shows the gunicorn command"
    words = command.group(1).split()
    assert words[:4] == ["--workers", "4", "--bind", "127.0.0.1:8000"], words
    return tuple(words[4:])


def complete_module(browser: Browser) -> None:
    """Read both sections of the worked example and answer every question rightly."""
    for section, answers in ANSWERS:
        _status, _headers, page = browser.request("GET", f"{MODULE}/{section}?note=continue")
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        key = re.search(r'name="attempt_key" value="([^"]+)"', page).group(1)
        form = {**answers, "attempt_key": key, "csrf_token": token}
        assert browser.request("POST", f"{MODULE}/{section}/answers", form)[0] == 302
        assert browser.request("POST", f"{MODULE}/{section}/done", {"csrf_token": token})[0] == 302
    assert "Module completed" in browser.request("GET", f"{MODULE}/finished")[2]


def sign_out(browser: Browser) -> None:
    assert browser.request("POST", "/sign-out", {"csrf_token": browser.token("/")})[0] == 302


def event_lines(server: Server) -> list[tuple[str, str, str]]:
    """(event, user, whole line) for every event line the server wrote to stderr; stops the server first."""
    server.stop()
    lines = [LINE.match(line) for line in server.log.read_text().splitlines()]
    return [(m.group(1), m.group(2), m.group(0)) for m in lines if m]


@pytest.fixture
def journey(start_server, make_user, app):
    """A learner signs in (wrong, then right), completes and signs out; their manager looks and downloads."""
    learner = make_user("learner", name="Logged Learner")
    manager = make_user("manager", name="Logged Manager")
    team = add_team(app, "Housing", managers=[manager], members=[learner])
    server = start_server(workers=2, args=documented_arguments(), MODULES_DIRS=[str(FIXTURE_MODULES)])

    browser = Browser(server.port)
    assert browser.sign_in(learner.email, "not-the-password") == 200
    assert browser.sign_in(learner.email, PASSWORD) == 302
    complete_module(browser)
    sign_out(browser)

    from tilearn.extensions import db
    from tilearn.models import CompletionRecord

    with app.app_context():
        record_id = db.session.scalars(select(CompletionRecord.id)).one()
    boss = Browser(server.port)
    assert boss.sign_in(manager.email, PASSWORD) == 302
    assert boss.request("GET", f"/manage/learners/{learner.id}")[0] == 200
    status, headers, _csv = boss.request("GET", f"/manage/report.csv?team={team}")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    status, headers, _pdf = boss.request("GET", f"/manage/learners/{learner.id}/certificates/{record_id}.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    sign_out(boss)
    return server, learner, manager, team, record_id


def test_completion_and_a_managers_looks_are_logged_on_gunicorns_stderr(journey):
    server, learner, manager, team, record_id = journey
    events = event_lines(server)
    found = {(event, user) for event, user, _line in events}
    assert ("module.completed", str(learner.id)) in found, server.log.read_text()[-3000:]
    completed = [line for event, _user, line in events if event == "module.completed"]
    assert len(completed) == 1
    assert completed[0].endswith(
        f"event=module.completed user={learner.id} module=worked-example version=1.2 record={record_id}"
    )
    assert {
        ("learner.viewed", str(manager.id)),
        ("report.exported", str(manager.id)),
        ("certificate.downloaded", str(manager.id)),
    } <= found
    assert [line for event, _u, line in events if event == "report.exported"][0].endswith(
        f"subject=team:{team}"
    )
    stderr, stdout = server.log.read_text(), server.stdout.read_text()
    assert "event=" not in stdout  # stdout is gunicorn's access log (--access-logfile -)
    assert '"GET /manage/report.csv?team=' in stdout
    for secret in (PASSWORD, "not-the-password", "q-q-five-fs", "q-q-helps"):
        assert secret not in stderr


def test_sign_in_refusal_and_sign_out_are_logged_on_gunicorns_stderr(journey):
    server, learner, _manager, _team, _record_id = journey
    events = event_lines(server)
    found = {(event, user) for event, user, _line in events}
    assert ("sign_in", str(learner.id)) in found
    assert [line for event, _user, line in events if event == "sign_in.refused"]
    assert ("sign_out", str(learner.id)) in found
