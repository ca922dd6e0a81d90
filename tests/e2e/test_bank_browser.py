"""A question bank and the looking-after-you block in Chromium, with and without JavaScript, and axe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import write_module
from tests.e2e.conftest import EXIT_URL, LiveServer, choose, serve, text_of
from tests.web.test_banks import body

MODULE = "/learn/banked"
BANK = f"{MODULE}/bank"


@pytest.fixture
def live_server(make_app, tmp_path) -> Iterator[LiveServer]:
    """The live server of tests/e2e/conftest.py, serving a module with a question bank."""
    write_module(tmp_path / "modules" / "banked", body=body(), minutes="6")
    app = make_app(WTF_CSRF_ENABLED=True, EXIT_URL=EXIT_URL, MODULES_DIRS=[str(tmp_path / "modules")])
    yield from serve(app)


def shown(driver) -> list[str]:
    return [e.get_dom_attribute("id") for e in driver.find_elements(By.CSS_SELECTOR, ".tl-question")]


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_a_learner_checks_a_bank_and_tries_other_questions(js, signed_in_site, make_user):
    site = signed_in_site(make_user("learner"), js=js)
    driver = site.driver
    site.go(f"{MODULE}/looking-after-you", title="How this course looks after you")
    page = text_of(driver)
    assert "At Level 1: Trauma Aware and after it" in page and "You can pause at any time" in page
    site.go(f"{BANK}?note=continue", title="Bank")
    first = shown(driver)
    assert len(first) == 2 and "These are 2 of the 5 questions in this section" in text_of(driver)
    choose(driver, *(f"q-{qid.removeprefix('question-')}-0" for qid in first))
    site.follow(
        driver.find_element(By.XPATH, '//button[normalize-space(.)="Check my answers"]').click, path=BANK
    )
    page = text_of(driver)
    assert page.count("That’s right.") == 2 and shown(driver) == first
    try_again = driver.find_element(By.LINK_TEXT, "Try other questions")
    site.follow(try_again.click, path=BANK)
    second = shown(driver)
    assert len(second) == 2 and not set(first) & set(second) and "That’s right." not in text_of(driver)
