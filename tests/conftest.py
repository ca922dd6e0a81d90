"""Shared fixtures: an app with its own migrated database per test, clients and factories.

Set TILEARN_TEST_DATABASE_URL to a PostgreSQL URL to run everything against PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from tests.support.http import csrf_token  # noqa: F401 (tests import it from here)
from tilearn import create_app
from tilearn.extensions import db

HERE = Path(__file__).resolve().parent
FIXTURE_MODULES = HERE / "fixtures" / "modules" / "valid"
POSTGRES_URL = os.environ.get("TILEARN_TEST_DATABASE_URL")
PASSWORD = "a-long-test-password"
IN_CI = os.environ.get("CI") == "true"
EXAMPLE_PLUGIN = HERE.parent / "examples" / "tilearn-order-question"


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
        "minutes": "1",
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


@pytest.fixture(scope="session")
def example_plugin_dir(tmp_path_factory) -> Path:
    """The example plug-in, built and installed by pip like any package, into a throwaway folder."""
    target = tmp_path_factory.mktemp("example-plugin")
    build = tmp_path_factory.mktemp("example-plugin-source") / "source"
    shutil.copytree(
        EXAMPLE_PLUGIN, build, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(build)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        skip_or_fail(f"the example plug-in could not be built: {result.stderr[-2000:]}")
    return target


@pytest.fixture
def example_plugin(example_plugin_dir: Path, monkeypatch) -> Path:
    """The installed example plug-in on sys.path, so tilearn finds it through its entry points."""
    monkeypatch.syspath_prepend(str(example_plugin_dir))  # also clears importlib's caches
    return example_plugin_dir


@pytest.fixture
def fake_plugin(tmp_path: Path, monkeypatch) -> Callable[..., Path]:
    """Install a tiny package (a module plus its dist-info with entry points) on sys.path.

    ``fake_plugin("name", "1.0", {"tilearn.blocks": {"callout": "mod:Class"}}, mod="python source")``
    makes tilearn find it through real entry points, as it would an installed package.
    """
    root = tmp_path / "site-packages"
    root.mkdir(exist_ok=True)
    monkeypatch.syspath_prepend(str(root))

    def install(name: str, version: str, entry_points: dict[str, dict[str, str]], **modules: str) -> Path:
        for module_name, source in modules.items():
            (root / f"{module_name}.py").write_text(source, encoding="utf-8")
        for old in root.glob(f"{name.replace('-', '_')}-*.dist-info"):
            shutil.rmtree(old)
        info = root / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = [
            f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in names.items())
            for group, names in entry_points.items()
        ]
        (info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")
        import importlib

        importlib.invalidate_caches()
        return root

    return install


def pytest_configure(config: pytest.Config) -> None:
    """The system marker: tests that start real gunicorn servers (make test-quick leaves them out)."""
    config.addinivalue_line("markers", "system: starts real gunicorn servers (tests/system)")
