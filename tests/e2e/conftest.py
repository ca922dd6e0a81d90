"""Real-browser fixtures: the app on a live local server, and headless Chromium driven by Selenium.

The browser tests need Debian's chromium and chromedriver (at /usr/bin, or set CHROMIUM_BINARY and
CHROMEDRIVER). Without them the tests are skipped with the reason; when CI=true they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import got_request_exception
from selenium.webdriver.common.by import By
from sqlalchemy import select

from tests.conftest import IN_CI, PASSWORD

PROJECT = Path(__file__).resolve().parents[2]
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
STYLESHEET = PROJECT / "tilearn" / "static" / "build" / "tilearn.css"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: A neutral address of our own, so the test proves the link follows EXIT_URL. It is never followed.
EXIT_URL = "https://www.example.org/quick-exit"
HOST = "127.0.0.1"
#: the worked-example fixture module and its two sections
MODULE = "/learn/worked-example"
FIRST = f"{MODULE}/survival-responses"
SECOND = f"{MODULE}/harder-day"
MODULE_TITLE = "Noticing stress in ourselves and others"
CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,1024",
    # Belt and braces for "the browser only talks to 127.0.0.1": no other host name resolves.
    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {HOST}",
]


def unavailable(reason: str) -> None:
    """Skip the browser tests with a reason, or fail them in CI, where they must run."""
    if IN_CI:
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _tool(env: str, default: str, name: str) -> str | None:
    """The path to a browser tool: exactly $env if set, else /usr/bin, else PATH."""
    candidates = [os.environ[env]] if os.environ.get(env) else [default, shutil.which(name)]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


@pytest.fixture(scope="session")
def chrome_paths() -> tuple[str, str]:
    """Chromium and chromedriver, or a skip (a failure in CI) saying what is missing."""
    chromium = _tool("CHROMIUM_BINARY", "/usr/bin/chromium", "chromium")
    driver = _tool("CHROMEDRIVER", "/usr/bin/chromedriver", "chromedriver")
    if chromium is None or driver is None:
        missing = " and ".join(n for n, p in (("chromium", chromium), ("chromedriver", driver)) if not p)
        unavailable(f"{missing} not found: apt-get install chromium chromium-driver")
    if not STYLESHEET.exists():
        unavailable("the stylesheet is not built: run `make assets`")
    return chromium, driver


@dataclass
class LiveServer:
    """The app served over HTTP on 127.0.0.1, with any exceptions it raised."""

    app: object
    url: str
    errors: list[BaseException] = field(default_factory=list)

    def __call__(self, path: str = "/") -> str:
        """The full URL of a path on this server."""
        return self.url + path


@pytest.fixture
def live_server(make_app) -> Iterator[LiveServer]:
    """The real app, with its own migrated database, served in a background thread.

    Cookies stay Secure as in production: Chromium treats http://127.0.0.1 as a secure context
    and keeps Secure cookies there (test_secure_session_cookie_survives_on_loopback checks it).
    """
    yield from serve(make_app(WTF_CSRF_ENABLED=True, EXIT_URL=EXIT_URL))


def serve(app) -> Iterator[LiveServer]:
    """Serve an app in a background thread until the caller is done; fail if it raised meanwhile."""
    from werkzeug.serving import make_server

    server = make_server(HOST, 0, app, threaded=True)
    live = LiveServer(app, f"http://{HOST}:{server.server_port}")

    def record(_sender, exception, **_extra):
        live.errors.append(exception)

    got_request_exception.connect(record, app)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        got_request_exception.disconnect(record, app)
    assert not live.errors, f"the server raised: {live.errors!r}"


@pytest.fixture
def make_browser(chrome_paths) -> Iterator[Callable[..., object]]:
    """Start headless Chromium: make_browser() with JavaScript, make_browser(js=False) without."""
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = chrome_paths
    drivers = []
    profiles = []

    def start(js: bool = True):
        profile = tempfile.mkdtemp(prefix="tilearn-chromium-")
        profiles.append(profile)
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in CHROME_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        if not js:
            options.add_experimental_option(
                "prefs", {"profile.managed_default_content_settings.javascript": 2}
            )
        try:
            driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
        except WebDriverException as error:
            unavailable(f"chromium would not start: {error.msg}")
        driver.set_page_load_timeout(30)
        driver.tilearn_js = js
        drivers.append(driver)
        return driver

    yield start
    for driver in drivers:
        driver.quit()
    for profile in profiles:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(make_browser):
    """A fresh Chromium with JavaScript on."""
    return make_browser()


@pytest.fixture
def browser_without_js(make_browser):
    """A fresh Chromium with JavaScript switched off for every site."""
    return make_browser(js=False)


def axe_violations(driver) -> list[dict]:
    """Run axe-core on the current page for WCAG 2.2 AA; the violations it finds."""
    if not AXE.exists():
        unavailable("axe-core is not installed: run `npm ci`")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.map(n => n.target.join(' '))}))), e => done({error: String(e)}));",
        AXE_TAGS,
    )
    assert not isinstance(result, dict), f"axe failed: {result}"
    return result


def describe(violations: list[dict]) -> str:
    """Violations as readable lines: id, help text and the elements at fault."""
    return "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["targets"]) for v in violations
    )


@dataclass
class Visitor:
    """Checks every page the browser lands on: quick exit, local resources, and axe with JS on."""

    driver: object
    server: LiveServer
    pages: list[str] = field(default_factory=list)

    def arrived(self, path: str | None = None, title: str | None = None) -> str:
        """Check the page now shown (at path, with an h1 containing title); returns its path."""
        from selenium.webdriver.common.by import By

        driver = self.driver
        shown = urlsplit(driver.current_url)
        assert shown.hostname == HOST, driver.current_url
        if path is not None:
            assert shown.path == path, f"expected {path}, at {driver.current_url}"
        if title is not None:
            heading = driver.find_element(By.TAG_NAME, "h1").text
            assert title in heading, f"expected “{title}” in the heading, got “{heading}”"
        exits = driver.find_elements(By.CSS_SELECTOR, ".govuk-exit-this-page a")
        assert len(exits) == 1, f"no single Exit this page link on {shown.path}"
        assert exits[0].get_dom_attribute("href") == EXIT_URL
        assert "Exit this page" in exits[0].text
        hosts = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).hostname)"
        )
        assert set(hosts) <= {HOST}, f"{shown.path} loaded from {set(hosts) - {HOST}}"
        supported = "govuk-frontend-supported" in (
            driver.find_element(By.TAG_NAME, "body").get_dom_attribute("class") or ""
        )
        assert supported == driver.tilearn_js, "JavaScript is not in the state the test asked for"
        if driver.tilearn_js:
            violations = axe_violations(driver)
            assert not violations, f"axe found problems on {shown.path}:\n{describe(violations)}"
        self.pages.append(shown.path + (f"?{shown.query}" if shown.query else ""))
        return shown.path

    def go(self, path: str, **expect) -> str:
        """Open a path on the live server and check the page."""
        self.driver.get(self.server(path))
        return self.arrived(**expect)

    def follow(self, action: Callable[[], object], **expect) -> str:
        """Do something that loads a new page (a click, a key press), wait for it, then check it."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait

        old = self.driver.find_element(By.TAG_NAME, "html")
        action()
        # Mid-navigation chromedriver can answer with a raw inspector error ("Node with given id
        # does not belong to the document") rather than "stale element": that means "not yet".
        wait = WebDriverWait(self.driver, 15, poll_frequency=0.05, ignored_exceptions=[WebDriverException])
        wait.until(EC.staleness_of(old))
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
        return self.arrived(**expect)

    def click_link(self, text: str, **expect) -> str:
        """Click the link with exactly this text, then check the page it opens."""
        from selenium.webdriver.common.by import By

        return self.follow(self.driver.find_element(By.LINK_TEXT, text).click, **expect)


@pytest.fixture
def visitor_for(live_server) -> Callable[[object], Visitor]:
    """A page checker for a driver on this test's live server."""
    return lambda driver: Visitor(driver, live_server)


@pytest.fixture
def signed_in_site(make_browser, visitor_for) -> Callable[..., Visitor]:
    """A new Chromium signed in through the form, on My learning: signed_in_site(user, js=True)."""

    def start(user, js: bool = True) -> Visitor:
        site = visitor_for(make_browser(js=js))
        sign_in_with_mouse(site, user)
        return site

    return start


def dump(value) -> str:
    """A compact JSON form for assertion messages."""
    return json.dumps(value, indent=1, default=str)


# Helpers the browser tests share


def text_of(driver) -> str:
    """The visible text of the page's main content."""
    return driver.find_element(By.ID, "main-content").text


def button(driver, label: str):
    """The button in the main content whose text starts with label."""
    return driver.find_element(By.XPATH, f'//main//button[starts-with(normalize-space(.), "{label}")]')


def choose(driver, *input_ids: str) -> None:
    """Tick radios or checkboxes by clicking their labels, as a person would."""
    for input_id in input_ids:
        driver.find_element(By.CSS_SELECTOR, f"label[for='{input_id}']").click()
        assert driver.find_element(By.ID, input_id).is_selected(), input_id


def sign_in_with_mouse(site, user) -> None:
    """Sign in through the form (which carries the real CSRF token) and land on My learning."""
    driver = site.driver
    site.go("/sign-in", title="Sign in")
    driver.find_element(By.ID, "email").send_keys(user.email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    site.follow(button(driver, "Sign in").click, path="/", title="My learning")


def the_record(app) -> tuple[int, str]:
    """The id and verification code of the only completion record in the database."""
    from tilearn.extensions import db
    from tilearn.models import CompletionRecord

    with app.app_context():
        records = db.session.execute(select(CompletionRecord.id, CompletionRecord.verification_code)).all()
        db.session.remove()
    assert len(records) == 1, records
    return tuple(records[0])
