"""WCAG 1.4.10 reflow: at 320 CSS px wide (1280 px at 400 % zoom) no page scrolls sideways."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import FIRST, MODULE, button, sign_in_with_mouse, the_record
from tests.support.learning import complete
from tests.support.workspace import MISTAKES, NEW_ID, module_text
from tests.web.conftest import add_team
from tilearn.extensions import db
from tilearn.models import SignInCounter
from tilearn.models.types import utcnow
from tilearn.services import drafts, module_versions, people

WIDTH = 320


def narrow(driver) -> None:
    """Lay pages out 320 CSS px wide, as a phone does or a 1280 px window at 400 % zoom."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": 800, "deviceScaleFactor": 1, "mobile": False},
    )


#: The page's overflow in CSS px, and the outermost elements that stick out past the window.
OVERFLOW = """
const root = document.documentElement, edge = root.clientWidth + 1;
const out = e => e.getBoundingClientRect().right > edge;
const culprits = [...document.querySelectorAll('body *')].filter(e => out(e) && !out(e.parentElement));
const named = e => e.tagName.toLowerCase() + '.' + String(e.className).split(' ').join('.');
return [root.scrollWidth - root.clientWidth, culprits.slice(0, 5).map(named)];
"""


def sideways(driver) -> tuple[int, list[str]]:
    """How many CSS px the page is wider than its window (0: it reflows), and what sticks out."""
    return driver.execute_script(OVERFLOW)


@pytest.mark.browser
def test_every_kind_of_page_reflows_at_320_css_pixels(
    browser, visitor_for, live_server, make_user, sign_in, client
):
    site = visitor_for(browser)
    narrow(browser)
    learner, manager = make_user("learner", name="Priya Holder"), make_user("manager", name="Mona Manager")
    admin = make_user("admin", name="Ada Admin")
    add_team(live_server.app, "Housing and Neighbourhood Services", managers=[manager], members=[learner])
    sign_in(learner)
    complete(client)
    record_id, code = the_record(live_server.app)
    with live_server.app.app_context():
        newcomer = people.create_person(admin.id, "Nia Newcomer", "nia.newcomer@example.org", ["learner"])
        newcomer_id = newcomer.id
        link = f"/set-password/{people.create_password_link(admin.id, newcomer_id).token}"
    wide = {}

    def check(*paths: str) -> None:
        for path in paths:
            site.go(path)
            assert browser.execute_script("return window.innerWidth") == WIDTH
            wide[path] = sideways(browser)

    check("/sign-in", "/verify/", f"/verify/{code}", link, "/set-password/used-or-made-up")
    sign_in_with_mouse(site, learner)
    check("/", MODULE, FIRST + "?note=continue", "/grounding", "/glossary", "/certificates")
    check(f"/certificates/{record_id}", "/account/password")
    browser.delete_all_cookies()
    sign_in_with_mouse(site, manager)
    check("/manage/", f"/manage/learners/{learner.id}")
    browser.delete_all_cookies()
    with live_server.app.app_context():  # sign-in pauses for the admin's pages to show
        for scope, key, attempts in (("account", learner.email, 5), ("address", "10.0.0.7", 20)):
            db.session.add(SignInCounter(scope=scope, key=key, window_start=utcnow(), attempts=attempts))
        db.session.commit()
    sign_in_with_mouse(site, admin)
    check("/admin/", "/admin/people", "/admin/teams", "/admin/audit", "/admin/settings")
    check(f"/admin/people/{learner.id}", "/admin/people/import", f"/admin/people/{newcomer_id}")
    site.follow(button(browser, "Create a set-password link").click, title="Nia Newcomer")
    assert "Give Nia Newcomer this link" in browser.page_source
    wide["the new link, shown once"] = sideways(browser)
    site.go("/admin/people/import")
    browser.find_element(By.ID, "text").send_keys(
        "name,email,team,role,expected level\nRo Imported,ro.imported@example.org,,learner,\n"
    )
    site.follow(button(browser, "Check and import").click, title="1 person added")
    wide["the imported people's links"] = sideways(browser)
    with live_server.app.app_context():  # a module with two versions and a draft, for the workspace
        for version, note in (("1.0", "First."), ("1.1", "Reworded.")):
            text = module_text(version).replace("Silence", "A long pause" if version == "1.1" else "Silence")
            module_versions.publish(admin.id, NEW_ID, text, {}, note, False)
        drafts.start_from_upload(
            admin.id, drafts.read_upload("m.md", module_text("1.2", body=MISTAKES).encode()), "1.1"
        )
        db.session.commit()
    workspace = f"/author/modules/{NEW_ID}"
    check("/author/", "/author/new", "/author/upload", f"/author/drafts/{NEW_ID}", f"{workspace}/history")
    check(f"/author/drafts/{NEW_ID}/preview", f"/author/drafts/{NEW_ID}/preview/hearing?answers=yes")
    check(f"/author/drafts/{NEW_ID}/publish", f"{workspace}/differences", f"{workspace}/retire")
    assert {path: found for path, found in wide.items() if found[0] > 0} == {}
