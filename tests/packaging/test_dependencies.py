"""Every package tilearn imports is declared in pyproject.toml, and the build can read the metadata."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tilearn.config import PROJECT_ROOT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_distributions() -> set[str]:
    """The distributions named in [project] dependencies (extras such as postgres are not counted)."""
    return {
        normalise(re.match(r"[A-Za-z0-9._-]+", requirement).group(0))
        for requirement in PYPROJECT["project"]["dependencies"]
    }


def imported_top_level_modules() -> dict[str, str]:
    """Each third-party top-level module imported anywhere in tilearn/, with one file that imports it."""
    found: dict[str, str] = {}
    for path in sorted((PROJECT_ROOT / "tilearn").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in {"tilearn", "__future__"}:
                    found.setdefault(top, str(path.relative_to(PROJECT_ROOT)))
    return found


def test_every_imported_package_is_a_declared_dependency():
    declared = declared_distributions()
    owners = packages_distributions()
    missing = []
    for module, where in sorted(imported_top_level_modules().items()):
        distributions = {normalise(d) for d in owners.get(module, [])}
        if not distributions:
            missing.append(f"{module} (imported in {where}) is not installed, so no distribution provides it")
        elif not distributions & declared:
            missing.append(f"{module} (imported in {where}) comes from {sorted(distributions)}: not declared")
    assert not missing, "add to [project] dependencies in pyproject.toml:\n" + "\n".join(missing)


def test_the_scan_sees_imports_inside_functions_and_migrations():
    imported = imported_top_level_modules()
    assert imported["blinker"] == "tilearn/signals.py"
    assert imported["alembic"].startswith("tilearn/migrations/")
    assert "zxcvbn" in imported  # imported only when someone chooses a password
    assert "os" not in imported and "tilearn" not in imported


def test_the_build_backend_understands_the_licence_expression():
    # `license = "MIT"` (an SPDX expression, PEP 639) needs setuptools 77 or later to build.
    assert PYPROJECT["project"]["license"] == "MIT"
    requires = PYPROJECT["build-system"]["requires"]
    setuptools = next(r for r in requires if normalise(r).startswith("setuptools"))
    minimum = re.search(r">=\s*([0-9]+)", setuptools)
    assert minimum and int(minimum.group(1)) >= 77, setuptools
