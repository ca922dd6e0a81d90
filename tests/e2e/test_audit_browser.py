"""The service audit in headless Chromium, with JavaScript on and off, checked by axe (the SVG chart too)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import button, choose, dump, text_of
from tests.web.conftest import add_team
from tilearn.engine.levels import load_scheme

FRAMEWORK = load_scheme("west-midlands").service_audit
assert FRAMEWORK is not None
KEYS = [c.key for _p, c in FRAMEWORK.criteria()]


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_a_manager_audits_a_team_adds_an_action_and_audits_again(js, signed_in_site, app, make_user):
    manager = make_user("manager", name="Mona Manager")
    team_id = add_team(app, "Housing", managers=[manager])
    site = signed_in_site(manager, js=js)
    driver = site.driver
    site.click_link("My teams", path="/manage/", title="My teams")
    site.click_link(
        "Service audits",
        path="/manage/audits/",
        title="Service audits",
    )
    new = f"/manage/audits/teams/{team_id}/new"
    site.follow(driver.find_element(By.CSS_SELECTOR, f"main a[href='{new}']").click, path=new, title="audit")
    site.follow(button(driver, "Save the audit").click, path=new)
    summary = driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary").text
    assert "Choose red, amber or green for: Supporting recovery from trauma" in summary
    choose(driver, *[f"status-{key}-amber" for key in KEYS])
    choose(driver, f"status-{KEYS[0]}-green")
    driver.find_element(By.ID, f"evidence-{KEYS[0]}").send_keys("Our annual plan says so.")
    first = site.follow(button(driver, "Save the audit").click, title="Housing: audit of")
    page = text_of(driver)
    assert "Nothing: this is the first audit" in page and "Our annual plan says so." in page
    svg = driver.find_element(By.CSS_SELECTOR, "main svg[role='img']")
    assert svg.is_displayed() and svg.size["width"] > 300
    assert "Ratings per principle, audit by audit" in page

    driver.find_element(By.ID, "action").send_keys("Add the policy to induction")
    driver.find_element(By.ID, "owner").send_keys("Team leader")
    driver.find_element(By.ID, "due-day").send_keys("40")
    driver.find_element(By.ID, "due-month").send_keys("1")
    driver.find_element(By.ID, "due-year").send_keys("2027")
    site.follow(button(driver, "Add the action").click, path=f"{first}/actions")
    assert (
        "Enter the due date as a real date"
        in driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary").text
    )
    day = driver.find_element(By.ID, "due-day")
    day.clear()
    day.send_keys("30")
    site.follow(button(driver, "Add the action").click, path=first)
    assert "Add the policy to induction" in text_of(driver) and "30 January 2027" in text_of(driver)

    site.click_link("Audit again", path=new)
    assert "This starts from the last audit" in text_of(driver)
    assert driver.find_element(By.ID, f"status-{KEYS[0]}-green").is_selected()
    choose(driver, f"status-{KEYS[1]}-green")
    second = site.follow(button(driver, "Save the audit").click, title="Housing: audit of")
    moved = text_of(driver)
    assert "What moved since" in moved and "Better" in moved
    assert "Add the policy to induction" in text_of(driver)  # the open action carried over
    rows = driver.find_elements(By.CSS_SELECTOR, "[aria-labelledby='chart-table'] tbody tr")
    assert [r.text.split(":")[0] for r in rows] == ["1", "2"]
    assert "2 green" in rows[1].text
    assert second != first, dump(site.pages)
