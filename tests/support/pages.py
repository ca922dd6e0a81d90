"""Reading pages and filling in forms through Flask's test client, with CSRF on as in production."""

from __future__ import annotations

import html
import re

from tests.conftest import PASSWORD, csrf_token


def sign_in_form(app, email: str, password: str = PASSWORD):
    """A new client and its answer to the sign-in form, filled in as a person would."""
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"  # as browsers do (same-origin)
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    return client, client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def assert_refused_without_token(app, posts: dict) -> None:
    """Each person signs in through the form; every (url, form) they post without a CSRF token is a 400."""
    for user, forms in posts.items():
        client, signing_in = sign_in_form(app, user.email)
        assert signing_in.status_code == 302
        for url, data in forms:
            assert client.post(url, data=data).status_code == 400, url


class SignedInClient:
    """A test client signed in through the real form, posting forms with their CSRF token."""

    def __init__(self, app, user) -> None:
        self.client, signed_in = sign_in_form(app, user.email)
        assert signed_in.status_code == 302

    def get(self, url: str, **kwargs):
        """GET as this person."""
        return self.client.get(url, **kwargs)

    def text(self, url: str) -> str:
        """The page at url, which must answer 200."""
        response = self.client.get(url)
        assert response.status_code == 200, url
        return response.get_data(as_text=True)

    def post(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with the session's CSRF token."""
        token = csrf_token(self.text("/"))  # the same token on every page of the session
        return self.client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)


def body(response) -> str:
    """A response's text."""
    return response.get_data(as_text=True)


def error_summary(page: str) -> list[tuple[str, str]]:
    """(link target, message) for every entry in the page's error summary."""
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert summary, "no error summary"
    return [
        (href, html.unescape(text))
        for href, text in re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', summary.group(0))
    ]


def title(page: str) -> str:
    """The page's <title>."""
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()
