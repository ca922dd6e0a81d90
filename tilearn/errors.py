"""Friendly error pages that never need the database, and what happens while it is down."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import MethodNotAllowed, SecurityError

from tilearn.extensions import db, login_manager
from tilearn.security import ControlCharacters
from tilearn.services.organisation import Settings, current_settings, last_known_settings

log = logging.getLogger("tilearn.errors")
#: Errors that mean the database cannot be reached, rather than a fault in a request.
OUTAGE = (OperationalError, InterfaceError, PoolTimeout)
#: An error page: its body, status and extra headers.
ErrorPage = tuple[str, int, dict[str, str]]


def database_unavailable() -> None:
    """Note that the database is down: this request shows last-known settings and nobody signed in."""
    g.database_down = True
    _roll_back()
    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()


def _roll_back() -> None:
    """End whatever transaction the request had open, so the error page starts clean."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a dead connection must not stop the error page
        log.debug("rollback failed while showing an error page", exc_info=True)


def page_settings() -> Settings:
    """The organisation's settings for a page: last-known ones while the database is down."""
    if not g.get("database_down"):
        try:
            return current_settings()
        except OUTAGE:
            database_unavailable()
    return last_known_settings()


def _page(
    status: int, title: str, message: str, help_links: bool = False, headers: dict[str, str] | None = None
) -> ErrorPage:
    _roll_back()
    settings = page_settings()  # notes an outage before the page template asks for settings
    page = render_template(
        "errors/error.html",
        status=status,
        title=title,
        message=message,
        contacts=settings.support_contacts if help_links else None,
    )
    return page, status, headers or {}


def init_app(app: Flask) -> None:
    """Register the error pages."""

    @app.errorhandler(CSRFError)
    def _csrf(_error: Exception) -> ErrorPage:
        return _page(
            400,
            "Please try that again",
            "The page had been open a long time or was opened in another window, so "
            "we could not be sure the form came from you. Nothing you had already "
            "saved has been lost. Go back, refresh the page and try again.",
        )

    @app.errorhandler(ControlCharacters)
    def _control(_error: Exception) -> ErrorPage:
        return _page(
            400,
            "Something you sent had a character we cannot accept",
            "It included a hidden control character (such as a 'null' character), often "
            "copied in from another program. Nothing you had saved has been lost. Go back, "
            "type the text again rather than pasting it, and try once more.",
        )

    @app.errorhandler(SecurityError)
    def _untrusted_host(_error: Exception) -> ErrorPage:
        # No page template: links cannot be built for a host we do not serve.
        return "Bad request: this site is not served at that address.", 400, {"Content-Type": "text/plain"}

    @app.errorhandler(400)
    def _bad_request(_error: Exception) -> ErrorPage:
        return _page(
            400,
            "Something in that request was not as expected",
            "Nothing you had saved has been lost. Go back and try again.",
        )

    @app.errorhandler(403)
    def _forbidden(_error: Exception) -> ErrorPage:
        return _page(
            403,
            "This page is not available to you",
            "Your account does not include this part of the site. If you think it "
            "should, ask your administrator.",
        )

    @app.errorhandler(404)
    def _not_found(_error: Exception) -> ErrorPage:
        return _page(404, "Page not found", "Check the address, or go back to My learning.")

    @app.errorhandler(405)
    def _method(error: MethodNotAllowed) -> ErrorPage:
        allow = {"Allow": ", ".join(sorted(error.valid_methods or []))} if error.valid_methods else None
        return _page(
            405,
            "That action is not available here",
            "Go back and use the buttons on the page.",
            headers=allow,
        )

    @app.errorhandler(413)
    def _too_large(_error: Exception) -> ErrorPage:
        return _page(
            413,
            "That was too much to send at once",
            "What you sent is larger than the site accepts. Nothing saved has been "
            "lost. Try a shorter answer, or split it into two.",
        )

    for outage in OUTAGE:

        @app.errorhandler(outage)
        def _database_down(_error: Exception) -> ErrorPage:
            reason = (str(getattr(_error, "orig", None) or _error).splitlines() or ["?"])[0]
            log.error("database unavailable on %s %s: %s", request.method, request.path, reason)
            database_unavailable()
            return _page(
                503,
                "The site cannot reach its records just now",
                "Nothing you had saved has been lost. Please try again in a few minutes. "
                "The support page below works while you wait.",
                help_links=True,
                headers={"Retry-After": "60"},
            )

    @app.errorhandler(500)
    def _server_error(_error: Exception) -> ErrorPage:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _page(
            500,
            "Sorry, something went wrong on our side",
            "Nothing you had saved has been lost. Try again in a moment.",
            help_links=True,
        )
