"""Managers, certificates, public checks and trainers' previews in headless Chromium, checked by axe."""

from __future__ import annotations

import csv
import http.client
import io
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

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
    the_record,
)
from tests.support.learning import complete
from tests.web.conftest import add_team

REPORT = "/manage/"
LEARNER, STARTER = "Lena Learner", "Sami Starter"


@dataclass
class Team:
    """A team expected to reach Trauma Aware: its manager, a learner who completes, one not started."""

    manager: object
    learner: object
    starter: object


@pytest.fixture
def team(app, make_user) -> Team:
    """The Housing team, expected level aware, with a manager and two learners."""
    manager = make_user("manager", name="Mona Manager")
    learner, starter = make_user("learner", name=LEARNER), make_user("learner", name=STARTER)
    add_team(app, "Housing", level="aware", managers=[manager], members=[learner, starter])
    return Team(manager, learner, starter)


def complete_in_browser(site) -> None:
    """Answer both sections of the worked example rightly, straight from section 1, and finish."""
    driver = site.driver
    site.go(FIRST, title="Survival responses")
    choose(driver, "q-q-five-fs-0")
    site.follow(button(driver, "Check my answers").click, path=FIRST)
    site.follow(button(driver, "Continue to the next section").click, path=SECOND, title="Before you read")
    choose(driver, "choice-continue")
    site.follow(button(driver, "Go on").click, path=SECOND, title="A harder day")
    choose(driver, "q-q-helps-0", "q-q-helps-1", "q-q-same-1")
    site.follow(button(driver, "Check my answers").click, path=SECOND)
    site.follow(
        button(driver, "Finish this module").click, path=f"{MODULE}/finished", title="Module completed"
    )


def response_status(driver) -> int:
    """The HTTP status of the page now shown."""
    return driver.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")


def summary(driver) -> dict[str, str]:
    """The main summary list as {key: value}."""
    rows = driver.find_elements(By.CSS_SELECTOR, "main .govuk-summary-list__row")
    return {
        row.find_element(By.TAG_NAME, "dt").text: row.find_element(By.TAG_NAME, "dd").text for row in rows
    }


def learners_shown(driver) -> dict[str, list[str]]:
    """The report's learner rows as {name: [team, expected level, current, needs attention]}."""
    rows = driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    cells = [[td.text for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]
    return {row[0]: row[1:] for row in cells if len(row) == 5}


def show_status(site, status: str) -> None:
    """Filter My teams by a status with the form, as a manager would."""
    driver = site.driver
    Select(driver.find_element(By.ID, "status")).select_by_value(status)
    site.follow(button(driver, "Show").click, path=REPORT, title="My teams")
    assert parse_qs(urlsplit(driver.current_url).query).get("status") == [status], driver.current_url


def download(driver, href: str, mimetype: str) -> bytes:
    """GET a download link with the browser's cookies, from Python rather than the browser."""
    parts = urlsplit(href)
    assert parts.hostname == HOST, href
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    connection = http.client.HTTPConnection(HOST, parts.port, timeout=15)
    try:
        connection.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Cookie": cookies}
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 200, (href, response.status, body[:500])
    assert response.getheader("Content-Type", "").split(";")[0] == mimetype, response.getheaders()
    assert response.getheader("Content-Disposition", "").startswith("attachment;"), response.getheaders()
    return body


def report_csv(driver) -> dict[str, dict[str, str]]:
    """The CSV behind My teams' "Download as CSV" link, as rows by learner name."""
    href = driver.find_element(By.LINK_TEXT, "Download as CSV").get_attribute("href")
    assert urlsplit(href).path == "/manage/report.csv", href
    body = download(driver, href, "text/csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert all(row["module id"] == "worked-example" for row in rows), body
    return {row["learner"]: row for row in rows}


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_manager_sees_a_completion_and_checks_its_certificate(js, signed_in_site, live_server, team):
    """A learner completes; their manager sees it, filters, exports CSV and checks the certificate."""
    learner_site = signed_in_site(team.learner, js=js)
    complete_in_browser(learner_site)
    record_id, code = the_record(live_server.app)

    site = signed_in_site(team.manager, js=js)
    driver = site.driver
    site.click_link("My teams", path=REPORT, title="My teams")
    assert learners_shown(driver) == {
        LEARNER: ["Housing", "Trauma Aware", "1 of 1", ""],
        STARTER: ["Housing", "Trauma Aware", "0 of 1", f"{MODULE_TITLE}: Not started"],
    }, dump(learners_shown(driver))
    totals = summary(driver)
    assert (totals["Completed"], totals["Not started"]) == ("1", "1"), dump(totals)

    rows = report_csv(driver)
    assert set(rows) == {LEARNER, STARTER}, dump(rows)
    assert rows[LEARNER]["status"] == "completed" and rows[LEARNER]["completed on"], dump(rows[LEARNER])
    assert rows[LEARNER]["team"] == "Housing" and rows[LEARNER]["expected level"] == "Trauma Aware"
    assert rows[STARTER]["status"] == "not started" and not rows[STARTER]["completed on"]

    show_status(site, "not started")
    assert set(learners_shown(driver)) == {STARTER}
    show_status(site, "completed")
    assert set(learners_shown(driver)) == {LEARNER}
    filtered = report_csv(driver)
    assert set(filtered) == {LEARNER} and filtered[LEARNER]["status"] == "completed"

    learner_page = f"/manage/learners/{team.learner.id}"
    site.click_link(LEARNER, path=learner_page, title=LEARNER)
    page = text_of(driver)
    assert "Housing" in page and "1 of 1 expected modules are current" in page
    assert f"{MODULE_TITLE} Completed" in page and f"{MODULE_TITLE} (version 1.2)" in page
    check = driver.find_element(By.CSS_SELECTOR, "main a[href^='/verify/']")
    assert check.get_dom_attribute("href") == f"/verify/{code}"
    assert " ".join(check.accessible_name.split()) == f"Check certificate for {MODULE_TITLE}"
    pdf = driver.find_element(By.CSS_SELECTOR, "main a[href$='.pdf']")
    assert pdf.get_dom_attribute("href") == f"{learner_page}/certificates/{record_id}.pdf"
    assert download(driver, pdf.get_attribute("href"), "application/pdf").startswith(b"%PDF")

    site.follow(check.click, path=f"/verify/{code}", title="Certificate check")
    details = summary(driver)
    assert details["Status"] == "Valid" and details["Holder"] == LEARNER, dump(details)
    assert details["Module"] == MODULE_TITLE and details["Verification code"] == code
    assert "This is a genuine certificate issued by" in text_of(driver)
    assert site.pages == [
        "/sign-in",
        "/",
        REPORT,
        f"{REPORT}?team=&level=&status=not+started",
        f"{REPORT}?team=&level=&status=completed",
        learner_page,
        f"/verify/{code}",
    ], dump(site.pages)
    assert len(learner_site.pages) == 8, dump(learner_site.pages)


@pytest.mark.browser
def test_certificate_pages_and_public_checks_pass_axe(
    browser, visitor_for, live_server, make_user, sign_in, client
):
    """My certificates, a certificate, the lookup form, an unknown code and a revoked record."""
    from tilearn.services import certificates

    driver = browser
    site = visitor_for(driver)
    holder, admin = make_user("learner", name="Priya Holder"), make_user("admin")
    sign_in(holder)
    complete(client)
    record_id, code = the_record(live_server.app)

    site.go("/verify/", title="Check a certificate")  # signed out, as anyone checking would be
    driver.find_element(By.ID, "code").send_keys(code)
    site.follow(button(driver, "Check").click, path=f"/verify/{code}", title="Certificate check")
    assert summary(driver)["Status"] == "Valid" and summary(driver)["Holder"] == "Priya Holder"

    site.go("/verify/", title="Check a certificate")
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    driver.find_element(By.ID, "code").send_keys(wrong)
    site.follow(
        button(driver, "Check").click, path=f"/verify/{wrong}", title="could not find that certificate"
    )
    assert response_status(driver) == 404
    assert wrong in text_of(driver) and "Priya Holder" not in text_of(driver)
    site.click_link("Try another code", path="/verify/")

    sign_in_with_mouse(site, holder)
    site.click_link("My certificates", path="/certificates")
    assert f"{MODULE_TITLE} (version 1.2)" in text_of(driver) and "Valid" in text_of(driver)
    view = driver.find_element(By.CSS_SELECTOR, f"main a[href='/certificates/{record_id}']")
    site.follow(view.click, path=f"/certificates/{record_id}", title="Certificate of completion")
    details = summary(driver)
    assert (details["Holder"], details["Status"], details["Level"]) == (
        "Priya Holder",
        "Valid",
        "Trauma Aware",
    )

    with live_server.app.app_context():
        certificates.revoke_record(admin.id, record_id, "issued in error")
    site.go(f"/verify/{code}", title="Certificate check")
    assert summary(driver)["Status"].startswith("Revoked on ")
    assert "has been revoked" in text_of(driver) and "This is a genuine" not in text_of(driver)
    site.go("/certificates", title="My certificates")
    assert "Revoked" in text_of(driver)
    assert len(site.pages) == 11, dump(site.pages)


@pytest.mark.browser
def test_trainer_preview_pages_pass_axe(browser, visitor_for, make_user):
    """The trainer's list of modules and the preview of the worked example, answers shown."""
    site = visitor_for(browser)
    sign_in_with_mouse(site, make_user("trainer"))
    site.click_link("Workspace", path="/author/")
    assert "Live" in text_of(browser)
    site.click_link(MODULE_TITLE, path="/author/worked-example")
    page = text_of(browser)
    assert page.startswith("Preview") and "Right answer" in page and "Freezing is one of the five" in page


@pytest.mark.browser
def test_what_is_left_and_not_found_pass_axe(browser, visitor_for, make_user):
    """The module overview after section 1 with its scored question not yet right, and the 404 page."""
    site = visitor_for(browser)
    sign_in_with_mouse(site, make_user("learner"))
    site.go(FIRST, title="Survival responses")
    choose(browser, "q-q-five-fs-1")
    site.follow(button(browser, "Check my answers").click, path=FIRST)
    site.follow(button(browser, "Continue to the next section").click, path=SECOND, title="Before you read")
    site.go(MODULE, title=MODULE_TITLE)
    assert summary(browser)["Your progress"] == "1 of 2 sections read"
    assert browser.find_element(By.ID, "what-is-left").text == "What is left"
    assert "You have 0% of the questions right so far; the module asks for 75%." in text_of(browser)
    again = browser.find_element(By.LINK_TEXT, "Questions in “Survival responses”")
    assert again.get_dom_attribute("href") == f"{FIRST}#answers"  # no ?note=continue: a note is shown again
    site.go("/no-such-page", title="Page not found")
    assert response_status(browser) == 404
