"""The one small HTTP client of the system tests and the benchmarks: cookies and CSRF, over http.client.

It lives here, not under benchmarks/, because `make test` lints tests/ and the system tests use
it on every full run, so a change that breaks it is caught at once; the benchmarks, run by hand
now and then, import it from here (they put the project root on sys.path).
"""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import NamedTuple
from urllib.parse import urlencode

HOST = "127.0.0.1"


class Response(NamedTuple):
    """Status, headers and text of one HTTP response (unpacks as status, headers, text)."""

    status: int
    headers: dict[str, str]
    text: str


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    if not match:
        raise AssertionError("no csrf_token on the page")
    return match.group(1)


@dataclass
class Browser:
    """Talks to a server on 127.0.0.1 and keeps its cookies, Secure ones included, as browsers do there."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        """One request (a form is sent url-encoded); cookies set or cleared by the answer are kept."""
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for raw in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                cleared = not morsel.value or "1970" in morsel["expires"] or morsel["max-age"] == "0"
                if cleared:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(response.status, dict(response.headers), text)

    def cookie_header(self) -> str:
        """The cookies as one Cookie header (wrk sends it too)."""
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def token(self, path: str) -> str:
        """The CSRF token of the page at path."""
        return csrf_token(self.request("GET", path).text)

    def sign_in(self, email: str, password: str) -> int:
        """Sign in through the real form; the answer's status (302 when it worked)."""
        form = {"email": email, "password": password, "csrf_token": self.token("/sign-in")}
        return self.request("POST", "/sign-in", form).status
