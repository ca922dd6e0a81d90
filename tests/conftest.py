"""Shared fixtures: an app with its own migrated database per test, clients and factories.

Set TILEARN_TEST_DATABASE_URL to a PostgreSQL URL to run everything against PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from tilearn import create_app
from tilearn.extensions import db

HERE = Path(__file__).resolve().parent
FIXTURE_MODULES = HERE / "fixtures" / "modules" / "valid"
POSTGRES_URL = os.environ.get("TILEARN_TEST_DATABASE_URL")
PASSWORD = "a-long-test-password"
IN_CI = os.environ.get("CI") == "true"


def base_config(tmp: Path, database_url: str) -> dict:
    """Test settings: real database, fixture modules, CSRF off unless a test turns it on."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MODULES_DIRS": [str(FIXTURE_MODULES)],
        "CACHE_DIR": str(tmp / "cache"),
        "WTF_CSRF_ENABLED": False,
        "LEVEL_SCHEME": "west-midlands",
        "PREFERRED_URL_SCHEME": "https",
    }


def migrate(database_url: str, tmp: Path) -> None:
    """Create the schema the way production does: Alembic migrations."""
    from flask_migrate import upgrade

    app = create_app(base_config(tmp, database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> str:
    """A migrated database made once per run: a SQLite file to copy, or a clean PostgreSQL schema."""
    tmp = tmp_path_factory.mktemp("template")
    if POSTGRES_URL:
        engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        migrate(POSTGRES_URL, tmp)
        return POSTGRES_URL
    path = tmp / "template.sqlite"
    migrate(f"sqlite:///{path}", tmp)
    return str(path)


def _empty_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        tables = (
            connection.execute(
                text(
                    "SELECT tablename FROM pg_tables"
                    " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        if tables:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> str:
    """This test's own database."""
    if POSTGRES_URL:
        _empty_postgres(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path / "test.sqlite"
    shutil.copy(template_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on this test's database, with settings overridden as asked."""
    apps: list[Flask] = []

    def build(**overrides) -> Flask:
        config = base_config(tmp_path, database_url)
        config.update(overrides)
        app = create_app(config)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    """The app with default test settings."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client over HTTPS (cookies are Secure)."""
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Callable:
    """Create a person: make_user("manager") or make_user("learner", email="x@example.org")."""
    from tilearn.services.accounts import create_user

    counter = iter(range(1, 10_000))

    def build(*roles: str, email: str | None = None, name: str | None = None):
        roles = roles or ("learner",)
        with app.app_context():
            user = create_user(
                email or f"{roles[0]}{next(counter)}@example.org",
                name or f"Test {roles[0].title()}",
                PASSWORD,
                roles,
            )
            db.session.refresh(user)  # committed, so expired: loaded again to be used detached
            db.session.expunge(user)
            return user

    return build


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable:
    """Sign a person in on the shared client."""

    def do(user, remember: bool = False, target: FlaskClient | None = None):
        response = (target or client).post(
            "/sign-in", data={"email": user.email, "password": PASSWORD, "remember": "y" if remember else ""}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


def write_module(folder: Path, body: str = "## One {#one}\n\nText.\n", **front) -> Path:
    """Write a small valid module into ``folder``; front matter fields can be overridden."""
    folder.mkdir(parents=True, exist_ok=True)
    fields = {
        "id": folder.name,
        "title": "T",
        "level": "aware",
        "version": '"1"',
        "summary": "S",
        "minutes": "5",
        "framework": "F",
    }
    fields.update(front)
    head = "\n".join(f"{k}: {v}" for k, v in fields.items())
    outcomes = "outcomes:\n  - theme: staff-wellbeing\n    text: Rest.\n"
    path = folder / "module.md"
    path.write_text(f"---\n{head}\n{outcomes}---\n{body}", encoding="utf-8")
    return path


def skip_or_fail(reason: str) -> None:
    """Skip outside CI; in CI (CI=true) nothing may be skipped, so fail with the reason."""
    if IN_CI:
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


def csrf_token(html: str) -> str:
    """The CSRF token from a page's first form."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no csrf_token on the page"
    return match.group(1)
