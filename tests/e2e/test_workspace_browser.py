"""A trainer takes a module from an upload with mistakes to published, then changes it materially.

The trainer works on the live test server; the learner on a separate 2-worker gunicorn server on
the same database, so each publish must reach other processes by itself, within 2 seconds.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import FIXTURE_MODULES
from tests.e2e.conftest import EXIT_URL, LiveServer, Visitor, button, choose, sign_in_with_mouse, text_of
from tests.support.workspace import MISTAKES, NEW_ID, fix_mistakes, line_of, module_text

LIVE_WITHIN = 2.0
DRAFT = f"/author/drafts/{NEW_ID}"
HISTORY = f"/author/modules/{NEW_ID}/history"


@pytest.fixture
def other_workers(start_gunicorn) -> LiveServer:
    """The same site on the same database in another process: gunicorn with two workers."""
    server = start_gunicorn(
        workers=2,
        MODULES_DIRS=[str(FIXTURE_MODULES)],
        LEVEL_SCHEME="west-midlands",
        EXIT_URL=EXIT_URL,
        LIBRARY_CHECK_SECONDS=1,
    )
    return LiveServer(None, f"http://127.0.0.1:{server.port}")


@pytest.fixture
def start_gunicorn(database_url, tmp_path) -> Iterator:
    """Start gunicorn on this test's database, as the system tests do."""
    from tests.system.conftest import Server

    servers = []

    def start(workers: int, **config) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TILEARN_")}
        env.update(
            {
                "TILEARN_SECRET_KEY": "browser-test-secret",
                "TILEARN_SQLALCHEMY_DATABASE_URI": database_url,
                "TILEARN_INSTANCE_PATH": str(tmp_path / "instance"),
                "TILEARN_CACHE_DIR": str(tmp_path / "gunicorn-cache"),
            }
        )
        env.update({f"TILEARN_{k}": v if isinstance(v, str) else json.dumps(v) for k, v in config.items()})
        servers.append(Server(env, workers, tmp_path / "gunicorn.log"))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def type_text(driver, text: str) -> None:
    """Replace the editor's text, typing as a person would (the field works without JavaScript)."""
    box = driver.find_element(By.ID, "markdown")
    box.clear()
    box.send_keys(text)


def wait_for(site: Visitor, path: str, wanted: str, since: float) -> float:
    """Reload path until wanted shows; how long after ``since`` the request that showed it was sent."""
    deadline = since + LIVE_WITHIN + 3
    while True:
        sent = time.monotonic()
        site.go(path)
        if wanted in text_of(site.driver):
            return sent - since
        assert time.monotonic() < deadline, f"{wanted!r} never showed on {path}"
        time.sleep(0.1)


@pytest.mark.browser
@pytest.mark.system
@pytest.mark.parametrize("js", [True, False], ids=["trainer-js-on", "trainer-js-off"])
def test_a_trainer_fixes_previews_publishes_and_changes_a_module(
    js, other_workers, make_browser, visitor_for, live_server, make_user, tmp_path
):  # other_workers first, so the browsers quit before gunicorn stops (a sync worker waits on their sockets)
    trainer_driver = make_browser(js=js)
    trainer = visitor_for(trainer_driver)
    sign_in_with_mouse(trainer, make_user("trainer"))
    learner_driver = make_browser(js=not js)
    learner = Visitor(learner_driver, other_workers)
    sign_in_with_mouse(learner, make_user("learner", name="Lee Learner"))

    # Upload a module with three mistakes
    broken = module_text(body=MISTAKES)
    upload = tmp_path / "listening.md"
    upload.write_text(broken, encoding="utf-8")
    trainer.follow(
        trainer_driver.find_element(By.LINK_TEXT, "Workspace").click, path="/author/", title="Workspace"
    )
    trainer.follow(trainer_driver.find_element(By.LINK_TEXT, "Upload a module").click, path="/author/upload")
    trainer_driver.find_element(By.ID, "file").send_keys(str(upload))
    trainer.follow(button(trainer_driver, "Upload").click, path=DRAFT, title="Listening well")
    page = text_of(trainer_driver)
    assert "3 errors" in page and "Fix the 3 errors to publish" in page
    for fragment in ("You failed", "::: reflection"):
        assert f"Line {line_of(broken, fragment)}:" in page
    if js:  # a message's line number puts the cursor on that line (once the page's script has loaded)
        link = f"a[data-line='{line_of(broken, 'You failed')}']"
        cursor = "return document.getElementById('markdown').selectionStart"
        WebDriverWait(trainer_driver, 10).until(
            lambda d: d.find_element(By.CSS_SELECTOR, link).click() or d.execute_script(cursor) > 0
        )
        assert broken[trainer_driver.execute_script(cursor) :].startswith("You failed")

    # Fix them in the editor, check, preview
    type_text(trainer_driver, fix_mistakes(broken))
    trainer.follow(button(trainer_driver, "Save and check").click, path=DRAFT)
    assert "0 errors" in text_of(trainer_driver)
    trainer.follow(trainer_driver.find_element(By.LINK_TEXT, "Preview").click, path=f"{DRAFT}/preview")
    trainer.follow(trainer_driver.find_element(By.LINK_TEXT, "Start").click, title="Hearing people")
    assert "What helps someone feel heard?" in text_of(trainer_driver)
    assert "Right answer" not in text_of(trainer_driver)
    trainer.follow(trainer_driver.find_element(By.LINK_TEXT, "Show right answers and feedback").click)
    assert "Right answer" in text_of(trainer_driver) and "Yes. Attention tells people" in text_of(
        trainer_driver
    )
    learner.go(f"/learn/{NEW_ID}", title="Page not found")  # the draft is nowhere for learners

    # Publish version 1.0
    trainer.follow(trainer_driver.find_element(By.LINK_TEXT, "Back to the draft").click, path=DRAFT)
    trainer.follow(trainer_driver.find_element(By.LINK_TEXT, "Publish").click, path=f"{DRAFT}/publish")
    trainer_driver.find_element(By.ID, "note").send_keys("A new module about listening.")
    choose(trainer_driver, "material-no")
    trainer.follow(button(trainer_driver, "Publish version 1.0").click, path=HISTORY)
    published = time.monotonic()
    assert "Version 1.0 of Listening well is published" in text_of(trainer_driver)
    assert wait_for(learner, "/", "Listening well", published) <= LIVE_WITHIN

    # The learner completes it
    learner.go(f"/learn/{NEW_ID}/hearing", title="Hearing people")
    choose(learner_driver, "q-q-listen-0")
    learner.follow(button(learner_driver, "Check my answers").click, path=f"/learn/{NEW_ID}/hearing")
    learner.follow(button(learner_driver, "Continue to the next section").click, title="Pausing")
    learner.follow(button(learner_driver, "Finish this module").click, path=f"/learn/{NEW_ID}/finished")

    # A material change, 1.1
    trainer.follow(button(trainer_driver, "Edit in a new draft").click, path=DRAFT)
    changed = fix_mistakes(broken).replace('version: "1.0"', 'version: "1.1"')
    type_text(trainer_driver, changed.replace("Silence can", "A pause can"))
    trainer.follow(button(trainer_driver, "Save and check").click, path=DRAFT)
    trainer.follow(trainer_driver.find_element(By.LINK_TEXT, "Publish").click, path=f"{DRAFT}/publish")
    trainer_driver.find_element(By.ID, "note").send_keys("Section 2 now asks about pauses.")
    choose(trainer_driver, "material")
    trainer.follow(button(trainer_driver, "Publish version 1.1").click, path=HISTORY)
    published = time.monotonic()
    assert wait_for(learner, "/", "Refresher recommended", published) <= LIVE_WITHIN
    learner.go(f"/learn/{NEW_ID}", title="Listening well")
    page = text_of(learner_driver)
    assert "What has changed since your version (1.0)" in page
    assert "Section 2 now asks about pauses." in learner_driver.page_source
    assert "Important change" in learner_driver.page_source
    assert "a refresher is recommended" in page


@pytest.mark.browser
def test_the_other_workspace_pages_pass_axe(browser, visitor_for, live_server, make_user):
    """New module and upload (both refused), history, version, differences, rollback, retire, restore."""
    from tilearn.services import module_versions

    trainer_user = make_user("trainer")
    with live_server.app.app_context():
        first = module_versions.publish(trainer_user.id, NEW_ID, module_text(), {}, "First.", False)
        module_versions.publish(
            trainer_user.id, NEW_ID, module_text("1.1").replace("Silence", "A pause"), {}, "Pauses.", True
        )
        first_id = first.id
    site = visitor_for(browser)
    sign_in_with_mouse(site, trainer_user)
    site.go("/author/new", title="Start a new module")
    browser.find_element(By.ID, "module_id").send_keys("Not an id")
    browser.find_element(By.ID, "title").send_keys("A title")
    site.follow(button(browser, "Start the draft").click, path="/author/new")
    assert "There is a problem" in text_of(browser)
    site.go("/author/upload", title="Upload a module")
    site.follow(button(browser, "Upload").click, path="/author/upload")
    assert "Choose a .md file" in text_of(browser)
    site.go(HISTORY, title="Versions of Listening well")
    site.follow(browser.find_element(By.XPATH, "//a[starts-with(., 'View text')]").click, title="Version 1.1")
    site.go(HISTORY)
    site.follow(
        button(browser, "Show the differences").click, title="Differences between versions 1.0 and 1.1"
    )
    assert "Removed" in text_of(browser) and "Added" in text_of(browser)
    site.go(f"/author/modules/{NEW_ID}/versions/{first_id}/roll-back", title="Roll back to version 1.0")
    site.go(f"/author/modules/{NEW_ID}/retire", title="Retire this module")
    browser.find_element(By.ID, "reason").send_keys("Replaced by a longer module.")
    site.follow(button(browser, "Continue").click, title="Are you sure you want to retire")
    site.follow(button(browser, "Yes, retire this module").click, path=HISTORY)
    site.follow(browser.find_element(By.LINK_TEXT, "Restore this module").click, title="restore this module")
    site.follow(button(browser, "Yes, restore").click, path=HISTORY)
    site.follow(button(browser, "Edit in a new draft").click, path=DRAFT)
    site.follow(browser.find_element(By.LINK_TEXT, "Discard this draft").click, title="discard the draft")
    site.follow(button(browser, "Yes, discard the draft").click, path="/author/")
    site.go("/author/modules/worked-example/history")
    site.follow(button(browser, "Edit in a new draft").click, path="/author/drafts/worked-example")
    site.go("/author/drafts/worked-example/preview/harder-day", title="Before you read")
    site.follow(button(browser, "Go on").click, title="A harder day")
    assert "Preview of a draft" in text_of(browser) and "Sam" in text_of(browser)
