"""The example plug-in's blocks in headless Chromium, with and without JavaScript, checked by axe."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.e2e.test_browser import button, sign_in_with_mouse, text_of

MODULE = "/learn/putting-support-in-order"
SECTION = f"{MODULE}/a-calm-response"
STEPS = (
    "Notice how you are feeling",
    "Take a slow breath",
    "Listen without rushing",
    "Agree what happens next together",
)


def put_in_order(driver, order: tuple[str, ...]) -> None:
    """Choose a position for every step by its label, as a person would."""
    for label in driver.find_elements(By.CSS_SELECTOR, ".tl-order-step label"):
        select = Select(driver.find_element(By.ID, label.get_dom_attribute("for")))
        select.select_by_visible_text(str(order.index(label.text) + 1))


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_a_learner_completes_the_plugin_module(js, example_plugin, signed_in_site, make_user):
    """Order question and key point from an installed package: answered, marked, completed."""
    site = signed_in_site(make_user("learner"), js=js)
    driver = site.driver
    site.go(SECTION, title="A calm response")
    page = text_of(driver)
    assert "Key point" in page and "Give each step a position from 1 to 4" in page

    wrong = (STEPS[1], STEPS[0], STEPS[2], STEPS[3])
    put_in_order(driver, wrong)
    site.follow(button(driver, "Check my answers").click, path=SECTION)
    page = text_of(driver)
    assert "Not quite yet" in page and "Noticing your own state first" in page
    put_in_order(driver, STEPS)
    site.follow(button(driver, "Check my answers").click, path=SECTION)
    page = text_of(driver)
    assert "That’s right." in page and "Not quite yet" not in page
    site.follow(
        button(driver, "Finish this module").click, path=f"{MODULE}/finished", title="Module completed"
    )
    assert "100%" in text_of(driver)


@pytest.mark.browser
def test_a_trainer_previews_the_plugin_module(example_plugin, browser, visitor_for, make_user):
    """The preview draws the plug-in's blocks with the right order shown, and passes axe."""
    site = visitor_for(browser)
    sign_in_with_mouse(site, make_user("trainer", "learner"))
    site.go("/author/putting-support-in-order", title="Putting support in order")
    page = text_of(browser)
    assert "Key point" in page and "Position 1" in page
    assert [page.index(step) for step in STEPS] == sorted(page.index(step) for step in STEPS)
