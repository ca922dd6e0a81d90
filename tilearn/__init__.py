"""tilearn: trauma-informed e-learning from markdown modules."""

from __future__ import annotations

import logging
import os
import secrets
import sys
from importlib.resources import files
from typing import Any

from flask import Flask

from tilearn.config import Defaults, default_modules_dirs

log = logging.getLogger("tilearn")
#: `flask` commands that sign nothing, so they run without a SECRET_KEY (a fresh clone has none), and
#: load the modules they are asked about themselves: the site's library is not loaded (nor its
#: problems logged, which would print every message twice).
COMMANDS_WITHOUT_SECRET = (("modules", "lint"),)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, plug-ins, module library, blueprints, CLI."""
    app = Flask(
        __name__, instance_path=os.environ.get("TILEARN_INSTANCE_PATH") or None, instance_relative_config=True
    )
    _configure(app, test_config)

    from tilearn.eventlog import configure_logging

    configure_logging(app)

    from tilearn import database, security
    from tilearn.extensions import csrf, db, login_manager, mail, migrate

    database.init_app(app)
    migrate.init_app(app, db, directory=str(files("tilearn") / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    security.init_app(app)

    from tilearn import plugins
    from tilearn.web import library_state, module_text

    plugins.init_app(app)
    module_text.init_app(app)  # before the library: checking the block templates needs its filter

    if not _running_command_without_secret():
        try:
            library_state.init_app(app)
        except Exception:
            # A plug-in refused at start-up: close the connections the library opened, so a
            # process that goes on (a test, a supervisor retrying) does not leak them.
            with app.app_context():
                db.engine.dispose()
            raise

    from tilearn.web import register_blueprints

    register_blueprints(app)

    from tilearn import cli

    cli.init_app(app)
    database.end_request_unit(app)  # last, so its after_request runs first: see its docstring
    if app.config.get("PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # Werkzeug documents wrapping wsgi_app
    return app


def _configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Defaults, then instance/config.py, then TILEARN_* environment variables, then tests."""
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("TILEARN")
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    else:
        app.config.update(test_config)
    if app.config.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
    if uri.startswith("postgresql"):
        # An unreachable server is reported in seconds (health check, error page), not minutes.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("CACHE_DIR"):
        app.config["CACHE_DIR"] = os.path.join(app.instance_path, "cache")
    if app.config.get("MODULES_DIRS") is None:
        app.config["MODULES_DIRS"] = default_modules_dirs(app.instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    development = app.debug or app.testing or os.environ.get("TILEARN_ENV") == "development"
    if not app.config.get("SECRET_KEY"):
        if _running_command_without_secret():
            app.config["SECRET_KEY"] = secrets.token_hex(32)  # never used: the command signs nothing
        elif not development:
            raise RuntimeError(
                "SECRET_KEY is not set. Set TILEARN_SECRET_KEY or put SECRET_KEY in "
                f"{os.path.join(app.instance_path, 'config.py')} (`make run` writes one for you)."
            )
        else:
            log.warning("no SECRET_KEY: using a random one for this development run")
            app.config["SECRET_KEY"] = secrets.token_hex(32)
    _configure_mail(app)


def _running_command_without_secret() -> bool:
    """True when the `flask` command line is building the app for one of COMMANDS_WITHOUT_SECRET."""
    import click

    if click.get_current_context(silent=True) is None:  # not the flask command line (gunicorn, tests)
        return False
    words = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    return any(
        words[i : i + len(command)] == list(command)
        for command in COMMANDS_WITHOUT_SECRET
        for i in range(len(words))
    )


def _configure_mail(app: Flask) -> None:
    """SMTP when MAIL_SERVER is set, the console in development, otherwise no e-mail at all."""
    backend = app.config.get("MAIL_BACKEND")
    if not backend:
        if app.config.get("MAIL_SERVER"):
            backend = "smtp"
        elif app.debug or os.environ.get("TILEARN_ENV") == "development":
            backend = "console"
    app.config["MAIL_ENABLED"] = bool(backend)
    app.config["MAIL_BACKEND"] = backend or "dummy"
