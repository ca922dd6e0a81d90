"""A publish and a rollback are live on every gunicorn worker within 2 seconds, with no restart."""

from __future__ import annotations

import time

from tests.conftest import PASSWORD
from tests.support.http import Browser
from tests.support.versions import ACCESS_LOG, MODULE_ID, module_text, poll, workers_by_tag
from tilearn.services import module_versions

LIVE_WITHIN = 2.0


def assert_live_everywhere(server, browser: Browser, label: str, since: float) -> None:
    """Every answer to a request sent more than 2 s after ``since`` shows ``label``, from both workers."""
    seen = poll(browser, since + LIVE_WITHIN + 2.0)
    time.sleep(0.3)  # the access log line is written once the answer is sent
    workers = workers_by_tag(server.stdout)
    late = [s for s in seen if s.sent - since > LIVE_WITHIN]
    assert late and all(s.version == label for s in late), [
        (round(s.sent - since, 2), s.version) for s in late if s.version != label
    ]
    assert len({workers[s.tag] for s in late if s.tag in workers}) == 2, "both workers should have answered"


def test_a_publish_and_a_rollback_are_live_on_both_workers_within_2_seconds(start_server, app, make_user):
    trainer, learner = make_user("trainer"), make_user("learner")
    with app.app_context():
        first = module_versions.publish(
            trainer.id, MODULE_ID, module_text("1.0", "First words."), {}, "First.", False
        ).id
    server = start_server(workers=2, args=ACCESS_LOG)
    browser = Browser(server.port)
    assert browser.sign_in(learner.email, PASSWORD) == 302
    assert {s.version for s in poll(browser, time.monotonic() + 1.0)} == {"1.0"}

    with app.app_context():
        module_versions.publish(
            trainer.id, MODULE_ID, module_text("1.1", "Second words."), {}, "Clearer.", True
        )
    assert_live_everywhere(server, browser, "1.1", time.monotonic())

    with app.app_context():
        module_versions.rollback(trainer.id, MODULE_ID, first, "Back to the first words.", False)
    assert_live_everywhere(server, browser, "1.2", time.monotonic())
    status, _headers, page = browser.request("GET", f"/learn/{MODULE_ID}/breathing")
    assert status == 200 and "First words." in page
