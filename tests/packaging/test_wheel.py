"""The wheel carries what a site needs and serves it from a fresh virtual environment outside the checkout."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail, write_module
from tests.system.conftest import Browser, free_port
from tilearn.cli import DEMO_PASSWORD
from tilearn.config import PROJECT_ROOT

pytestmark = pytest.mark.packaging

#: What the build reads; the wheel is built from a copy of these, so the checkout gets no build/ or dist/.
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "tilearn", "modules")
CSS = "tilearn/static/build/tilearn.css"
SHIPPED_MODULES = sorted(p.name for p in (PROJECT_ROOT / "modules").iterdir() if p.is_dir())


def copy_build_inputs(target: Path) -> Path:
    """The files the wheel is built from, copied to target."""
    target.mkdir(parents=True)
    for name in BUILD_INPUTS:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target / name)
    return target


def build_wheel(source: Path, dist: Path) -> subprocess.CompletedProcess:
    """`pip wheel` as `make wheel` runs it (setuptools comes from pip's cache or the package index)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--disable-pip-version-check",
            "-w",
            dist,
            source,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the checkout after `make assets`."""
    if not (PROJECT_ROOT / CSS).is_file():
        skip_or_fail(f"{CSS} is not built: run `make assets`")
    tmp = tmp_path_factory.mktemp("wheel")
    built = build_wheel(copy_build_inputs(tmp / "source"), tmp / "dist")
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = (tmp / "dist").glob("tilearn-*.whl")
    return found


def test_the_wheel_carries_migrations_assets_levels_fonts_and_modules(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    for name in (
        CSS,
        "tilearn/static/vendor/govuk/govuk-frontend.min.js",
        "tilearn/static/js/tilearn.mjs",
        "tilearn/migrations/alembic.ini",
        "tilearn/migrations/env.py",
        "tilearn/migrations/script.py.mako",
        "tilearn/levels/west-midlands.yaml",
        "tilearn/levels/hampshire.yaml",
        "tilearn/templates/base.html",
        "tilearn/fonts/README.md",
        "tilearn/content/glossary.md",
    ):
        assert name in names, name
    versions = {p.name for p in (PROJECT_ROOT / "tilearn" / "migrations" / "versions").glob("*.py")}
    assert {n.rsplit("/", 1)[1] for n in names if n.startswith("tilearn/migrations/versions/")} == versions
    assert {n.split("/")[2] for n in names if n.startswith("tilearn/content/") and n.count("/") > 2} == set(
        SHIPPED_MODULES
    )
    assert not [n for n in names if not n.startswith(("tilearn/", "tilearn-"))], "only the package"
    assert "License-Expression: MIT" in metadata
    assert re.search(r"^Requires-Dist: blinker\b", metadata, re.MULTILINE)


def test_a_wheel_without_the_built_stylesheet_is_refused(tmp_path):
    source = copy_build_inputs(tmp_path / "source")
    (source / CSS).unlink()
    built = build_wheel(source, tmp_path / "dist")
    assert built.returncode != 0
    assert f"{CSS} missing: run `make assets` before building the wheel" in built.stdout + built.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))


@dataclass
class Installed:
    """A fresh virtual environment with the wheel installed, and a folder outside the checkout to run in."""

    venv: Path
    cwd: Path
    env: dict[str, str]

    @property
    def instance(self) -> Path:
        """Flask's instance folder for an installed package: <prefix>/var/tilearn-instance."""
        return self.venv / "var" / "tilearn-instance"

    def run(self, *args: str) -> str:
        """Run one of the venv's commands; return its output; fail with it if the command fails."""
        done = subprocess.run(
            [str(self.venv / "bin" / args[0]), *args[1:]],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Installed:
    """`python -m venv` then `pip install tilearn-….whl` (dependencies from pip's cache or the index)."""
    tmp = tmp_path_factory.mktemp("installed")
    assert PROJECT_ROOT not in tmp.parents
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TILEARN_", "FLASK_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update({"TILEARN_SECRET_KEY": "installed-wheel-test-secret", "PATH": f"{venv / 'bin'}:{env['PATH']}"})
    (tmp / "elsewhere").mkdir()
    site = Installed(venv, tmp / "elsewhere", env)
    site.run("pip", "install", "--quiet", "--disable-pip-version-check", str(wheel))
    return site


@contextmanager
def served(installed: Installed) -> Iterator[Browser]:
    """The installed site served by the venv's gunicorn on a free port; a browser for it."""
    port = free_port()
    log = installed.cwd / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(installed.venv / "bin" / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}"]
            + ["tilearn:create_app()"],
            cwd=installed.cwd,
            env=installed.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
        yield Browser(port)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def test_the_installed_wheel_migrates_seeds_and_serves_the_modules(installed):
    # Our own module beside the shipped ones, in the instance folder (Flask's default for an installed app).
    write_module(installed.instance / "modules" / "our-own-module", title="Our own module")
    imported = installed.run("python", "-c", "import tilearn; print(tilearn.__file__)")
    assert imported.startswith(str(installed.venv / "lib")), imported  # not this checkout's tilearn/
    installed.run("flask", "--app", "tilearn", "db", "upgrade")
    assert (installed.instance / "tilearn.sqlite").is_file()
    assert "learner@example.org" in installed.run("flask", "--app", "tilearn", "demo", "seed")
    listed = installed.run("flask", "--app", "tilearn", "modules", "list")
    assert {line.split("\t")[0] for line in listed.splitlines()} == {*SHIPPED_MODULES, "our-own-module"}

    with served(installed) as browser:
        status, _headers, body = browser.request("GET", "/healthz")
        assert (status, json.loads(body)) == (
            200,
            {"status": "ok", "database": "ok", "modules": len(SHIPPED_MODULES) + 1},
        )
        status, _headers, page = browser.request("GET", "/sign-in")
        assert status == 200
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
        status, headers, css = browser.request("GET", stylesheet)
        assert status == 200 and headers["Content-Type"].startswith("text/css") and ".govuk-" in css
        assert browser.sign_in("learner@example.org", DEMO_PASSWORD) == 302
        status, _headers, page = browser.request("GET", "/learn/aware-starting-gently")
        assert status == 200, page[:2000]
        assert "Starting gently" in page
    assert (installed.instance / "cache").is_dir()  # the render cache is in the instance folder too
