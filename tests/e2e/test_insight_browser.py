"""The trainers' insight pages in headless Chromium, with JavaScript on and off, checked by axe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import MODULE_TITLE, text_of
from tilearn.engine.evaluation import AFTER
from tilearn.engine.levels import load_scheme
from tilearn.extensions import db
from tilearn.models import GroundingVisit, ModuleProgress, Pause, SectionView
from tilearn.services import evaluation


@pytest.fixture
def five_learners(app, make_user) -> None:
    """Five learners who started the worked example, read both sections, paused and took grounding in each."""
    started = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    people = [make_user("learner", name=f"Learner {n}") for n in range(5)]
    with app.app_context():
        for n, person in enumerate(people):
            db.session.add(ModuleProgress(user_id=person.id, module_id="worked-example", started_at=started))
            for minutes, section in ((4 + n, "survival-responses"), (10 + 2 * n, "harder-day")):
                at = started + timedelta(minutes=minutes)
                db.session.add(
                    SectionView(user_id=person.id, module_id="worked-example", section_id=section, seen_at=at)
                )
                db.session.add(Pause(user_id=person.id, module_id="worked-example", section_id=section))
                db.session.add(
                    GroundingVisit(user_id=person.id, module_id="worked-example", section_id=section)
                )
        db.session.commit()


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_a_trainer_reads_a_modules_insight(js, signed_in_site, make_user, five_learners):
    site = signed_in_site(make_user("trainer", name="Tara Trainer"), js=js)
    driver = site.driver
    site.click_link("Insight", path="/insight/", title="Insight")
    site.click_link(
        MODULE_TITLE,
        path="/insight/worked-example",
        title=MODULE_TITLE,
    )
    page = text_of(driver)
    assert "Learners who started this module: 5" in page, page
    rows = {
        row.find_element(By.TAG_NAME, "th").text: [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in driver.find_elements(By.CSS_SELECTOR, "table")[0].find_elements(
            By.CSS_SELECTOR, "tbody tr"
        )
    }
    # Survival responses: 4 5 6 7 8 minutes, median 6. The harder day: 6 7 8 9 10 after it, median 8.
    assert rows["Survival responses"] == ["5", "not offered", "fewer than 5", "5", "6 min"], rows
    assert rows["A harder day"] == ["5", "fewer than 5", "fewer than 5", "5", "8 min"], rows
    assert rows["All sections (sum)"] == ["10", "fewer than 5", "fewer than 5", "10", ""], rows
    charts = driver.find_elements(By.CSS_SELECTOR, "svg[role='img']")
    assert charts and "paused" in charts[0].find_element(By.TAG_NAME, "title").get_attribute("textContent")
    assert "Learner 1" not in driver.page_source


@pytest.mark.browser
def test_a_trainer_reads_the_evaluation_charts(signed_in_site, make_user, app):
    """Five answers to the Trauma Aware "after" questionnaire: charts and tables pass axe."""
    people = [make_user("learner", name=f"Learner {n}") for n in range(5)]
    with app.app_context():
        for n, person in enumerate(people):
            evaluation.record_answer(person.id, load_scheme(), "aware", AFTER, {"confidence": str(1 + n % 4)})
    site = signed_in_site(make_user("trainer", name="Tara Trainer"))
    driver = site.driver
    site.click_link("Insight", path="/insight/", title="Insight")
    page = text_of(driver)
    assert "Evaluation results" in page and "Not confident yet" in page, page
    titles = [
        chart.find_element(By.TAG_NAME, "title").get_attribute("textContent")
        for chart in driver.find_elements(By.CSS_SELECTOR, "svg[role='img']")
    ]
    assert any("All teams, Trauma Aware, straight after" in title for title in titles), titles
    site.click_link(
        MODULE_TITLE,
        path="/insight/worked-example",
        title=MODULE_TITLE,
    )
    assert "Evaluation of Trauma Aware" in text_of(driver)
    assert "Learner 1" not in driver.page_source
