"""The choosing-quality-training checklist in headless Chromium, JavaScript on and off, checked by axe."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import button, choose, text_of
from tilearn.engine.levels import load_scheme

CHECKLIST = load_scheme("west-midlands").training_checklist
assert CHECKLIST is not None


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_a_trainer_answers_the_checklist_for_a_module(js, signed_in_site, make_user):
    trainer = make_user("trainer", name="Tara Trainer")
    site = signed_in_site(trainer, js=js)
    driver = site.driver
    site.click_link("Workspace", path="/author/", title="Workspace")
    site.click_link(
        "choosing quality training",
        path="/training-checklists/",
        title="Choosing quality training",
    )
    new = "/training-checklists/modules/worked-example/new"
    site.follow(driver.find_element(By.CSS_SELECTOR, f"main a[href='{new}']").click, path=new)
    site.follow(button(driver, "Save the checklist").click, path=new)
    assert (
        "Answer: Does the training say clearly"
        in driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary").text
    )
    choose(driver, *[f"answer-{q.key}-partly" for q in CHECKLIST.questions])
    driver.find_element(By.ID, "notes-who-for").send_keys("Aimed at everyone; narrow it.")
    site.follow(button(driver, "Save the checklist").click, title="worked-example, version 1.2")
    assert "Aimed at everyone; narrow it." in text_of(driver) and "Partly" in text_of(driver)
    for kind in ("CSV", "PDF"):
        link = driver.find_element(By.LINK_TEXT, f"Download this checklist as {kind}")
        assert link.get_attribute("href").endswith(f".{kind.lower()}")
    site.click_link("Back", path="/training-checklists/modules/worked-example")
    assert "1.2 (current)" in text_of(driver)
    site.click_link("Back", path="/training-checklists/")
    everything = driver.find_element(By.LINK_TEXT, "Download all checklists as CSV")
    assert everything.get_attribute("href").endswith("/training-checklists/all.csv")
