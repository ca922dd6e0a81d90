"""The web layer: one thin blueprint per audience."""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path

from flask import Flask, g
from whitenoise import WhiteNoise

from tilearn.security import security_headers
from tilearn.services import statuses


def register_blueprints(app: Flask) -> None:
    """Register every blueprint and serve static files compressed with long cache lifetimes."""
    from tilearn.web import (
        admin,
        auth,
        author,
        evaluation,
        insight,
        learn,
        manage,
        my_plan,
        records,
        service_audit,
        shared_plans,
        support,
        training_checklists,
        training_needs,
        verify,
    )

    for blueprint in (
        auth.bp,
        learn.bp,
        support.bp,
        author.bp,
        records.bp,
        verify.bp,
        manage.bp,
        admin.bp,
        training_needs.bp,
        my_plan.bp,
        shared_plans.bp,
        evaluation.bp,
        service_audit.bp,
        training_checklists.bp,
        insight.bp,
    ):
        app.register_blueprint(blueprint)
    static = Path(app.static_folder or "")
    headers = security_headers(app.config)

    def _static_headers(response_headers: MutableMapping[str, str], _path: str, _url: str) -> None:
        for name, value in headers.items():
            response_headers[name] = value

    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]  # Flask's documented way to wrap its WSGI app
        app.wsgi_app, root=str(static), prefix="static/", max_age=3600, add_headers_function=_static_headers
    )

    app.jinja_env.globals["STATUSES"] = statuses.STATUSES  # the one label table, for _status.html

    @app.context_processor
    def _site() -> dict[str, str]:
        from tilearn.services.organisation import current_settings, last_known_settings

        # During an outage the error page has already noted it: show the last-known settings.
        settings = last_known_settings() if g.get("database_down") else current_settings()
        return {"organisation_name": settings.name, "exit_url": app.config["EXIT_URL"]}
