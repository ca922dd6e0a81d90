"""A database outage under real gunicorn: an honest health check and pages that still help."""

from __future__ import annotations

import pytest

from tests.support.http import Browser

DEAD = {
    "postgresql": "postgresql+psycopg://tilearn:nothing@127.0.0.1:9/tilearn",
    "sqlite": "sqlite:////nonexistent-folder/tilearn.sqlite",
}


@pytest.mark.parametrize("kind", sorted(DEAD))
def test_gunicorn_against_an_unreachable_database(start_server, kind):
    server = start_server(workers=1, SQLALCHEMY_DATABASE_URI=DEAD[kind])
    browser = Browser(server.port)
    status, headers, body = browser.request("GET", "/healthz")
    assert status == 503 and '"unavailable"' in body
    status, headers, body = browser.request("GET", "/grounding")
    assert status == 200 and "Samaritans" in body and "Exit this page" in body
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    for path in ("/sign-in", "/verify/abc", "/learn/anything"):
        status, headers, body = browser.request("GET", path)
        assert status in (302, 503), path
        if status == 503:
            assert "Internal Server Error" not in body and "Samaritans" in body, path
            assert headers["X-Content-Type-Options"] == "nosniff", path
    status, headers, body = browser.request("POST", "/sign-in", {"email": "a@example.org", "password": "x"})
    assert status in (400, 503) and "Internal Server Error" not in body
