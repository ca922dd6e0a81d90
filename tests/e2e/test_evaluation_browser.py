"""Evaluation questionnaires in headless Chromium, with JavaScript on and off, checked by axe."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import button, choose, dump, sign_in_with_mouse, text_of
from tests.support.learning import make_record
from tests.web.conftest import add_team
from tests.web.test_evaluation import seven_months_ago

BEFORE = "/evaluation/aware/before"
FINISHED = "/learn/worked-example/finished"


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_a_learner_answers_puts_off_and_declines_questionnaires(js, make_browser, visitor_for, make_user):
    driver = make_browser(js=js)
    site = visitor_for(driver)
    app = site.server.app
    learner = make_user("learner", name="Lena Learner")
    add_team(app, "Housing", level="aware", members=[learner])
    sign_in_with_mouse(site, learner)
    assert "Before you start this level: Trauma Aware" in text_of(driver)

    site.follow(driver.find_element(By.PARTIAL_LINK_TEXT, "Answer the questions").click, path=BEFORE)
    assert "without your name" in text_of(driver) and "will not be in your data download" in text_of(driver)
    site.follow(button(driver, "Send my answers").click, path=BEFORE, title="Before you start this level")
    summary = driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary").text
    assert "Answer at least one question, or choose Not now" in summary
    choose(driver, "q-confidence-2", "q-knowledge-3")
    driver.find_element(By.ID, "q-hopes").send_keys("To feel less out of my depth.")
    site.follow(button(driver, "Send my answers").click, path=BEFORE, title="Thank you")
    site.follow(driver.find_element(By.LINK_TEXT, "Carry on").click, path="/", title="My learning")
    assert "Before you start this level" not in text_of(driver)

    make_record(app, learner.id)  # the level is complete
    site.go(FINISHED, title="Module completed")
    assert "Now that you have finished this level: Trauma Aware" in text_of(driver)
    site.follow(button(driver, "Don’t ask again").click, path=FINISHED, title="Module completed")
    assert "We will not ask you about this questionnaire again" in text_of(driver)
    assert "Now that you have finished this level" not in text_of(driver)

    seven_months_ago(app, learner.id)
    site.go("/", title="My learning")
    assert "Six months on: Trauma Aware" in text_of(driver)
    site.follow(button(driver, "Not now").click, path="/", title="My learning")
    assert "We will ask again in 14 days" in text_of(driver) and "Six months on" not in text_of(driver)
    assert site.pages[-3:] == [FINISHED, "/", "/"], dump(site.pages)

    site.follow(button(driver, "Stop asking me about evaluations").click, path="/", title="My learning")
    assert "We will not invite you to evaluation questionnaires any more" in text_of(driver)
    site.follow(button(driver, "Ask me about evaluations again").click, path="/", title="My learning")
    assert "We will ask you about evaluations again" in text_of(driver)
