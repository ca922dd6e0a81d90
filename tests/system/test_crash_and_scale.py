"""Crash recovery and scaling out, with real gunicorn processes on the test's database."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import PASSWORD, write_module
from tests.support.http import Browser
from tests.system.conftest import WriteLoad, assert_acknowledged_writes_kept

SECTIONS = 400


def test_kill_9_mid_load_loses_no_acknowledged_write(start_server, make_user, database_url, tmp_path):
    body = "".join(f"## Part {i} {{#part-{i}}}\n\nText {i}.\n\n" for i in range(SECTIONS))
    write_module(tmp_path / "mods" / "long-module", body=body)
    learner = make_user()
    server = start_server(workers=2, MODULES_DIRS=[str(tmp_path / "mods")])
    load = WriteLoad(server, learner.email, "long-module", SECTIONS)
    load.start(until_acknowledged=40)
    server.kill_hard()
    load.join()
    acknowledged = load.acknowledged
    assert 40 <= len(acknowledged) < SECTIONS, "the kill should land mid-load"
    assert load.cut_off >= 1, "the kill should cut at least one request off mid-flight"

    seen = assert_acknowledged_writes_kept(database_url, acknowledged)

    restarted = start_server(workers=1, MODULES_DIRS=[str(tmp_path / "mods")])
    browser = Browser(restarted.port)
    assert browser.sign_in(learner.email, PASSWORD) == 302
    status, _headers, page = browser.request("GET", "/learn/long-module")
    assert status == 200 and f"{len(seen)} of {SECTIONS} sections read" in page


def test_two_processes_share_sign_out_and_the_sign_in_limit(start_server, make_user, app):
    learner = make_user()
    first = start_server(workers=1, LOGIN_LIMIT_PER_ACCOUNT=4)
    second = start_server(workers=1, LOGIN_LIMIT_PER_ACCOUNT=4)

    on_first = Browser(first.port)
    assert on_first.sign_in(learner.email, PASSWORD) == 302
    on_second = Browser(second.port)
    on_second.cookies = dict(on_first.cookies)  # the load balancer sends the next request elsewhere
    assert on_second.request("GET", "/")[0] == 200
    token = on_first.token("/")
    assert on_first.request("POST", "/sign-out", {"csrf_token": token})[0] == 302
    status, headers, _ = on_second.request("GET", "/")
    assert status == 302 and "/sign-in" in headers["Location"]

    other = make_user()
    for server in (first, second, first, second):
        assert Browser(server.port).sign_in(other.email, "not-the-password") == 200
    status = Browser(second.port).sign_in(other.email, PASSWORD)
    assert status == 200  # the fifth attempt is refused, even with the right password
    from tilearn.extensions import db
    from tilearn.models import SignInCounter

    with app.app_context():
        counted = select(SignInCounter.attempts).where(
            SignInCounter.scope == "account", SignInCounter.key == other.email
        )
        assert db.session.scalar(counted) == 5  # every attempt counted once, on whichever process
