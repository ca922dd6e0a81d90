"""Security headers, the session loader, safe redirects and friendly error pages."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import SecurityError

from tilearn.extensions import login_manager

log = logging.getLogger("tilearn.security")

CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def is_safe_next(target: str | None) -> bool:
    """True for a same-site path such as /learn/x; False for //evil.example or https://…"""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _load_user(token: str):
    """The signed-in user, read without holding SQLite's write lock for the rest of the request."""
    from tilearn.database import reading
    from tilearn.services import accounts

    with reading():
        return accounts.load_session(token)


def init_app(app: Flask) -> None:
    """Attach the session loader, headers and error pages."""

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        # same-origin, not no-referrer: Flask-WTF checks the Referer of HTTPS form posts.
        headers["Referrer-Policy"] = "same-origin"
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        return response

    def _page(status: int, title: str, message: str):
        return render_template("errors/error.html", status=status, title=title, message=message), status

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return _page(
            400,
            "Please try that again",
            "The page had been open a long time or was opened in another window, so "
            "we could not be sure the form came from you. Nothing you had already "
            "saved has been lost. Go back, refresh the page and try again.",
        )

    @app.errorhandler(SecurityError)
    def _untrusted_host(_error):
        # No page template: links cannot be built for a host we do not serve.
        return "Bad request: this site is not served at that address.", 400, {"Content-Type": "text/plain"}

    @app.errorhandler(400)
    def _bad_request(_error):
        return _page(
            400,
            "Something in that request was not as expected",
            "Nothing you had saved has been lost. Go back and try again.",
        )

    @app.errorhandler(403)
    def _forbidden(_error):
        return _page(
            403,
            "This page is not available to you",
            "Your account does not include this part of the site. If you think it "
            "should, ask your administrator.",
        )

    @app.errorhandler(404)
    def _not_found(_error):
        return _page(404, "Page not found", "Check the address, or go back to My learning.")

    @app.errorhandler(405)
    def _method(_error):
        return _page(405, "That action is not available here", "Go back and use the buttons on the page.")

    @app.errorhandler(413)
    def _too_large(_error):
        return _page(
            413,
            "That was too much to send at once",
            "What you sent is larger than the site accepts. Nothing saved has been "
            "lost. Try a shorter answer, or split it into two.",
        )

    @app.errorhandler(500)
    def _server_error(_error):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _page(
            500,
            "Sorry, something went wrong on our side",
            "Nothing you had saved has been lost. Try again in a moment.",
        )
