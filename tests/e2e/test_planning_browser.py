"""Training needs and development plans in headless Chromium, with JavaScript on and off, checked by axe."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import button, choose, dump, text_of
from tests.web.conftest import add_team


@dataclass
class Housing:
    """The Housing team, expected level aware: its manager and one learner."""

    team_id: int
    manager: object
    learner: object


@pytest.fixture
def housing(app, make_user) -> Housing:
    manager = make_user("manager", name="Mona Manager")
    learner = make_user("learner", name="Lena Learner")
    team_id = add_team(app, "Housing", level="aware", managers=[manager], members=[learner])
    return Housing(team_id, manager, learner)


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_a_manager_assesses_training_needs_and_sets_the_level(js, signed_in_site, housing):
    site = signed_in_site(housing.manager, js=js)
    driver = site.driver
    site.click_link("My teams", path="/manage/", title="My teams")
    site.click_link(
        "Training needs",
        path="/manage/training-needs/",
        title="Training needs",
    )
    new = f"/manage/training-needs/teams/{housing.team_id}/new"
    site.follow(
        driver.find_element(By.CSS_SELECTOR, f"main a[href='{new}']").click, path=new, title="Training needs"
    )
    site.follow(button(driver, "See the recommended level").click, path=new, title="Training needs")
    summary = driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary").text
    assert "Answer: Which of these describe the work" in summary and "Answer: Do they have direct" in summary
    choose(driver, "work-3", "contact")  # leading or managing support; direct contact
    site.follow(
        button(driver, "See the recommended level").click, title="Recommended level: Trauma Responsive"
    )
    result = text_of(driver)
    assert "You answered “Leading or managing that support" in result, result
    assert driver.find_element(By.CSS_SELECTOR, "input[name='level'][value='responsive']").is_selected()
    shown = site.pages[-1]
    site.follow(button(driver, "Accept and set the expected level").click, path=shown)
    assert "Expected level set to Trauma Responsive" in text_of(driver)
    history = f"/manage/training-needs/teams/{housing.team_id}"
    site.click_link("Back to the assessments", path=history)
    assert "The team’s expected level: Trauma Responsive." in text_of(driver)
    assert site.pages[-5:] == [new, new, shown, shown, history], dump(site.pages)


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_a_learner_writes_shares_and_agrees_a_plan(js, signed_in_site, housing):
    site = signed_in_site(housing.learner, js=js)
    driver = site.driver
    site.click_link(
        "My development plan",
        path="/my-plan/",
        title="My development plan",
    )
    assert "it is private: nobody else can see it" in text_of(driver)
    driver.find_element(By.ID, "role").send_keys("Duty officer")
    driver.find_element(By.ID, "areas_to_develop").send_keys("Knowing when to refer on.")
    choose(driver, "level", "confidence-0-4")  # Trauma Aware; fairly confident in the first outcome
    site.follow(button(driver, "Save my plan").click, path="/my-plan/", title="My development plan")
    assert "Your plan is saved" in text_of(driver) and "Not shared: private" in text_of(driver)
    assert driver.find_element(By.ID, "confidence-0-4").is_selected()
    site.follow(button(driver, "Share with my manager").click, path="/my-plan/")
    assert "You shared this plan with your manager" in text_of(driver)
    site.click_link("Delete my plan", path="/my-plan/delete")
    site.click_link("Keep my plan", path="/my-plan/")

    manager = signed_in_site(housing.manager, js=js)
    manager_driver = manager.driver
    manager.go("/manage/", title="My teams")
    manager.click_link(
        "Development plans shared with you",
        path="/manage/plans/",
        title="Development plans shared with you",
    )
    plan = f"/manage/plans/{housing.learner.id}"
    manager.click_link("Lena Learner", path=plan, title="Development plan")
    assert "Knowing when to refer on." in text_of(manager_driver) and "Fairly confident" in text_of(
        manager_driver
    )
    manager.follow(button(manager_driver, "Save as agreed today").click, path=plan)
    assert (
        "Write down the agreed plan"
        in manager_driver.find_element(By.CSS_SELECTOR, ".govuk-error-summary").text
    )
    manager_driver.find_element(By.ID, "agreed_support").send_keys("Monthly supervision.")
    manager.follow(button(manager_driver, "Save as agreed today").click, path=plan)
    assert "The agreed plan is saved" in text_of(manager_driver)

    site.go("/my-plan/", title="My development plan")
    mine = text_of(driver)
    assert "Monthly supervision." in mine and "with Mona Manager" in mine, mine
    site.follow(button(driver, "Stop sharing with my manager").click, path="/my-plan/")
    assert "Your plan is private again" in text_of(driver)
    manager_driver.get(manager.server(plan))
    assert "Page not found" in text_of(manager_driver)
