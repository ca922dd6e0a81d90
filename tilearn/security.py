"""Security headers, refusing control characters, the session loader and safe redirects."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import urlsplit

from flask import Flask, Response, g, request, session
from werkzeug.exceptions import BadRequest

from tilearn.extensions import login_manager

if TYPE_CHECKING:
    from tilearn.models import User

log = logging.getLogger("tilearn.security")

CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
#: Control characters never expected in a path, query string or field name.
ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Control characters never expected in typed text (tab, line feed and carriage return are).
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


#: Set in g, before the check below runs, by a view whose uploads are binary files.
BINARY_UPLOADS = "tilearn_binary_uploads"


class ControlCharacters(BadRequest):
    """The request held a NUL or other control character where text was expected."""


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """True for a same-site path such as /learn/x; False for //evil.example or https://…"""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def security_headers(config: Any) -> dict[str, str]:
    """The headers every response carries, pages and static files alike."""
    headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        # same-origin, not no-referrer: Flask-WTF checks the Referer of HTTPS form posts.
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if config.get("HSTS", True):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def refuse_control_characters() -> None:
    """Stop NUL and other control characters at the edge, before any database sees them."""
    if ANY_CONTROL.search(request.path) or any(
        ANY_CONTROL.search(key) or ANY_CONTROL.search(value) for key, value in request.args.items(multi=True)
    ):
        raise ControlCharacters()
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    for key, value in request.form.items(multi=True):
        if ANY_CONTROL.search(key) or TEXT_CONTROL.search(value):
            raise ControlCharacters()
    if g.get(BINARY_UPLOADS):
        return  # files that are binary by nature (a module's zip, its images); checked by their reader
    for upload in request.files.values():
        content = upload.stream.read()
        upload.stream.seek(0)
        if b"\x00" in content:
            raise ControlCharacters()


def _load_user(token: str) -> User | None:
    """The signed-in user, read in a plain transaction: a view that writes ends it (``writing()``)."""
    from tilearn.services import accounts

    return accounts.load_session(token)


def _signed_in() -> bool:
    """Whether this response is for a signed-in person, worked out without the database."""
    user = g.get("_login_user")
    return (user is not None and user.is_authenticated) or "_user_id" in session


def init_app(app: Flask) -> None:
    """Attach the session loader, the control-character check and the headers."""
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    app.before_request(refuse_control_characters)
    headers = security_headers(app.config)

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if _signed_in():
            response.headers["Cache-Control"] = "no-store"
        return response

    from tilearn import errors

    errors.init_app(app)
