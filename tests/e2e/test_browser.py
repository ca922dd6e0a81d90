"""The learner's journey in headless Chromium: with and without JavaScript, by keyboard, and page weight."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    FIRST,
    HOST,
    MODULE,
    MODULE_TITLE,
    SECOND,
    button,
    choose,
    dump,
    sign_in_with_mouse,
    text_of,
)

PAGE_BUDGET = 100 * 1024


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_learner_journey(js, signed_in_site, live_server, make_user):
    """A learner completes the worked example, pausing at the content note, with JS on or off."""
    site = signed_in_site(make_user("learner"), js=js)
    driver = site.driver
    assert "Not started" in text_of(driver)

    link = driver.find_element(By.LINK_TEXT, MODULE_TITLE)
    site.follow(link.click, path=MODULE, title=MODULE_TITLE)
    assert "About 6 minutes" in text_of(driver)
    site.click_link("Start", path=FIRST, title="Survival responses")
    assert "Section 1 of 2" in text_of(driver)

    choose(driver, "q-q-five-fs-1")  # Focus: wrong
    site.follow(button(driver, "Check my answers").click, path=FIRST)
    page = text_of(driver)
    assert "Not quite yet" in page and "Focus is not one of the five" in page
    choose(driver, "q-q-five-fs-0")  # Freeze: right
    site.follow(button(driver, "Check my answers").click, path=FIRST)
    page = text_of(driver)
    assert "That’s right." in page and "Freezing is one of the five" in page
    assert "Not quite yet" not in page

    site.follow(button(driver, "Continue to the next section").click, path=SECOND, title="Before you read")
    assert "stress at work" in text_of(driver)
    choose(driver, "choice-pause")
    site.follow(button(driver, "Go on").click, path="/grounding", title="Take a pause")
    page = text_of(driver)
    assert "Slow breathing" in page and "in for 4, out for 6" in page
    assert "5, 4, 3, 2, 1" in page and "5 things you can see" in page and "1 thing you can taste" in page
    for contact in live_server.app.config["SUPPORT_CONTACTS"]:
        assert contact["name"] in page and contact["detail"] in page
    assert "call 999" in page

    back = driver.find_element(By.PARTIAL_LINK_TEXT, "Go back to")
    assert back.text == "Go back to “A harder day”"
    site.follow(back.click, path=SECOND, title="A harder day")
    assert driver.current_url == live_server(f"{SECOND}?note=continue")
    page = text_of(driver)
    assert "Section 2 of 2" in page and "Sam's shift ran late" in page

    choose(driver, "q-q-helps-0", "q-q-helps-1", "q-q-same-1")
    site.follow(button(driver, "Check my answers").click, path=SECOND)
    page = text_of(driver)
    assert page.count("That’s right.") == 2 and "Not quite yet" not in page
    site.follow(
        button(driver, "Finish this module").click, path=f"{MODULE}/finished", title="Module completed"
    )
    assert "100%" in text_of(driver)

    site.go("/", title="My learning")
    assert "Completed" in text_of(driver)
    assert_completed_once(live_server.app)
    # sign-in, My learning, overview, section 1 ×3, note, grounding, section 2 ×2, finished, My learning
    assert len(site.pages) == 12, dump(site.pages)


def assert_completed_once(app) -> None:
    """The database holds one completion record, at 100%, for this module version."""
    from tilearn.extensions import db
    from tilearn.models import CompletionRecord

    with app.app_context():
        records = db.session.scalars(select(CompletionRecord)).all()
        assert [(r.module_id, r.score, r.module_version) for r in records] == [("worked-example", 100, "1.2")]
        db.session.remove()


def press(driver, *keys) -> None:
    """Press keys on whatever has focus, as a keyboard would."""
    ActionChains(driver).send_keys(*keys).perform()


def focus_is_visible(driver, element) -> bool:
    """True when focus changes how the element (or its label, for a radio) looks."""
    return driver.execute_script(
        """
        const el = arguments[0];
        const look = () => JSON.stringify([el, ...(el.labels || [])].flatMap(node =>
          [null, '::before', '::after'].map(part => {
            const s = getComputedStyle(node, part);
            return [s.outlineStyle, s.outlineColor, s.outlineWidth, s.boxShadow, s.backgroundColor, s.color];
          })));
        const focused = look();
        el.blur();
        const blurred = look();
        el.focus();
        return focused !== blurred && document.activeElement === el;
        """,
        element,
    )


def tab_to(driver, name: str | None = None, element_id: str | None = None, limit: int = 60):
    """Press Tab until the focused element has this id or accessible name; check focus shows."""
    path = []
    for _ in range(limit):
        press(driver, Keys.TAB)
        focused = driver.switch_to.active_element
        accessible = " ".join((focused.accessible_name or "").split())
        path.append(focused.get_dom_attribute("id") or accessible or focused.tag_name)
        if focused.tag_name != "body":
            assert focus_is_visible(driver, focused), f"no visible focus on {path[-1]!r}"
        if (element_id and focused.get_dom_attribute("id") == element_id) or (
            name and accessible.startswith(name)
        ):
            return focused
    pytest.fail(f"Tab never reached {name or element_id!r}; focus went through {path}")


@pytest.mark.browser
def test_keyboard_only_learner_completes_a_section_pauses_and_resumes(browser, visitor_for, make_user):
    """Sign in, answer, pause, resume and finish section 1 with Tab, Space, Enter (and arrows)."""
    driver = browser
    site = visitor_for(driver)
    learner = make_user("learner")

    site.go("/sign-in", title="Sign in")
    tab_to(driver, element_id="email").send_keys(learner.email)
    press(driver, Keys.TAB)
    assert driver.switch_to.active_element.get_dom_attribute("id") == "password"
    press(driver, PASSWORD)
    site.follow(lambda: press(driver, Keys.ENTER), path="/", title="My learning")

    tab_to(driver, MODULE_TITLE)
    site.follow(lambda: press(driver, Keys.ENTER), path=MODULE)
    tab_to(driver, "Start")
    site.follow(lambda: press(driver, Keys.ENTER), path=FIRST, title="Survival responses")

    freeze = tab_to(driver, element_id="q-q-five-fs-0")
    press(driver, Keys.SPACE)
    assert freeze.is_selected()
    tab_to(driver, "Pause and go to grounding support")  # before the question in the page, so Tab wraps
    site.follow(lambda: press(driver, Keys.ENTER), path="/grounding", title="Take a pause")
    assert "with any answers you had chosen" in text_of(driver)

    tab_to(driver, "Go back to “Survival responses”")
    site.follow(lambda: press(driver, Keys.ENTER), path=FIRST, title="Survival responses")
    assert driver.find_element(By.ID, "q-q-five-fs-0").is_selected(), "the paused answer was not kept"
    tab_to(driver, "Check my answers")
    site.follow(lambda: press(driver, Keys.ENTER), path=FIRST)
    assert "That’s right." in text_of(driver)
    tab_to(driver, "Continue to the next section")
    site.follow(lambda: press(driver, Keys.ENTER), path=SECOND, title="Before you read")

    # Section 1 is done. At the content note, the arrow keys move within the radio group.
    assert tab_to(driver, element_id="choice-continue").is_selected()
    press(driver, Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    assert driver.switch_to.active_element.get_dom_attribute("id") == "choice-pause"
    assert driver.find_element(By.ID, "choice-pause").is_selected()
    tab_to(driver, "Go on")
    site.follow(lambda: press(driver, Keys.ENTER), path="/grounding", title="Take a pause")
    tab_to(driver, "Go back to “A harder day”")
    site.follow(lambda: press(driver, Keys.ENTER), path=SECOND, title="A harder day")


@pytest.mark.browser
def test_section_page_weight_and_hosts(browser, visitor_for, make_user):
    """The section page, uncached, weighs at most 100 KB and loads only from 127.0.0.1."""
    site = visitor_for(browser)
    sign_in_with_mouse(site, make_user("learner"))
    # Measure a first visit: without this, the stylesheet and scripts come from the cache at 0 bytes.
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    site.go(FIRST, title="Survival responses")
    entries = browser.execute_script(
        "return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]"
        ".map(e => ({name: e.name, type: e.entryType, bytes: e.transferSize}))"
    )
    assert entries[0]["type"] == "navigation" and entries[0]["bytes"] > 0, dump(entries)
    names = {e["name"].rsplit("/", 1)[-1] for e in entries}
    assert {"tilearn.css", "tilearn.mjs", "govuk-frontend.min.js"} <= names, dump(entries)
    assert all(e["bytes"] > 0 for e in entries), f"something came from the cache: {dump(entries)}"
    foreign = [e["name"] for e in entries if not e["name"].startswith(f"http://{HOST}:")]
    assert not foreign, f"loaded from other hosts: {foreign}"
    total = sum(e["bytes"] for e in entries)
    assert total <= PAGE_BUDGET, f"{total} bytes is over the {PAGE_BUDGET} byte budget: {dump(entries)}"


@pytest.mark.browser
def test_secure_session_cookie_survives_on_loopback(browser, visitor_for, make_user):
    """The Secure, HttpOnly session cookie is kept on http://127.0.0.1, so the learner stays signed in."""
    site = visitor_for(browser)
    sign_in_with_mouse(site, make_user("learner"))
    cookies = {c["name"]: c for c in browser.get_cookies()}
    session = cookies["tilearn_session"]
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Lax", dump(session)
    site.go(MODULE, title=MODULE_TITLE)  # not sent back to the sign-in page


@pytest.mark.browser
def test_sign_in_errors_are_summarised_and_linked(browser, visitor_for):
    """An empty sign-in shows an accessible error summary that links to the field."""
    site = visitor_for(browser)
    site.go("/sign-in", title="Sign in")
    site.follow(button(browser, "Sign in").click, path="/sign-in", title="Sign in")
    assert browser.title.startswith("Error: ")
    summary = browser.find_element(By.CSS_SELECTOR, ".govuk-error-summary")
    assert browser.switch_to.active_element == summary, "the error summary should take focus"
    link = summary.find_element(By.LINK_TEXT, "Enter your email address")
    assert link.get_dom_attribute("href") == "#email"
    link.click()
    assert browser.switch_to.active_element.get_dom_attribute("id") == "email"
