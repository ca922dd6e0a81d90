"""The web layer: one thin blueprint per audience."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise


def register_blueprints(app: Flask) -> None:
    """Register every blueprint and serve static files compressed with long cache lifetimes."""
    from tilearn.web import admin, auth, author, learn, manage, records, support, verify

    for blueprint in (auth.bp, learn.bp, support.bp, author.bp, records.bp, verify.bp, manage.bp, admin.bp):
        app.register_blueprint(blueprint)
    static = Path(app.static_folder or "")
    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(static), prefix="static/", max_age=3600)  # type: ignore[method-assign]

    app.jinja_env.filters["choice_set"] = lambda values: frozenset(int(v) for v in values)

    @app.context_processor
    def _site():
        from tilearn.services.organisation import current_settings

        return {"organisation_name": current_settings().name, "exit_url": app.config["EXIT_URL"]}
