"""Where a site finds its modules and keeps its files: in a checkout, and installed from the wheel."""

from __future__ import annotations

import os

from tilearn import config
from tilearn.config import PROJECT_ROOT, SHIPPED_MODULES, default_modules_dirs


def test_a_checkout_serves_the_modules_folder_at_the_project_root():
    assert config.IN_CHECKOUT
    assert default_modules_dirs("/srv/tilearn-instance") == [str(PROJECT_ROOT / "modules")]


def test_an_installed_site_serves_its_instance_modules_then_the_shipped_ones(monkeypatch):
    monkeypatch.setattr(config, "IN_CHECKOUT", False)
    assert default_modules_dirs("/srv/tilearn-instance") == [
        "/srv/tilearn-instance/modules",
        str(SHIPPED_MODULES),
    ]
    assert SHIPPED_MODULES == PROJECT_ROOT / "tilearn" / "content"  # where setup.py puts modules/


def test_the_app_fills_in_the_default_and_keeps_a_configured_list(make_app, tmp_path):
    assert make_app(MODULES_DIRS=None).config["MODULES_DIRS"] == [str(PROJECT_ROOT / "modules")]
    assert make_app(MODULES_DIRS=[]).config["MODULES_DIRS"] == []
    assert make_app(MODULES_DIRS=[str(tmp_path)]).config["MODULES_DIRS"] == [str(tmp_path)]


def test_the_database_and_cache_default_to_the_instance_folder(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("TILEARN_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(CACHE_DIR=None)
    assert app.instance_path == str(tmp_path / "instance")
    assert app.config["CACHE_DIR"] == os.path.join(app.instance_path, "cache")
    assert config.Defaults.SQLALCHEMY_DATABASE_URI == "sqlite:///tilearn.sqlite"  # relative: in the instance
