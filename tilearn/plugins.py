"""Installed plug-in packages: each ``tilearn.plugins`` entry point names a ``register(app)`` function.

``register(app)`` runs inside create_app, before the module library is loaded and
before tilearn's own blueprints are registered. There a package can connect
receivers to :mod:`tilearn.signals`, register a blueprint, or add a level scheme
with :func:`add_level_scheme`. Block types are added through ``tilearn.blocks`` and
module folders through ``tilearn.modules`` (see docs/plugins.md).
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from pathlib import Path

from flask import Flask

from tilearn.engine.blocks import PluginError
from tilearn.engine.levels import LevelScheme, load_scheme

ENTRY_POINT_GROUP = "tilearn.plugins"
log = logging.getLogger("tilearn.plugins")


def init_app(app: Flask) -> None:
    """Call ``register(app)`` for every installed plug-in; a broken one stops start-up, naming it."""
    loaded: list[str] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        package = entry.dist.name if entry.dist else entry.value
        try:
            register = entry.load()
        except Exception as error:
            raise PluginError(
                f"plug-in {entry.name!r} from package {package!r} cannot be loaded: {error}"
            ) from error
        if not callable(register):
            raise PluginError(
                f"plug-in {entry.name!r} from package {package!r} is not a register(app) function"
            )
        register(app)
        loaded.append(package)
        log.info("plug-in %s (package %s) registered", entry.name, package)
    app.extensions["tilearn.plugins"] = loaded


def add_level_scheme(app: Flask, name: str, scheme: LevelScheme | str | Path) -> None:
    """Make a level scheme available under ``name`` (a LevelScheme or a path to its YAML file)."""
    schemes: dict[str, LevelScheme] = app.extensions.setdefault("tilearn.schemes", {})
    if name in schemes:
        raise PluginError(f"level scheme {name!r} is added twice")
    schemes[name] = scheme if isinstance(scheme, LevelScheme) else load_scheme(str(scheme))
    app.extensions.setdefault("tilearn.plugin_schemes", {})[name] = schemes[name].name


def added_level_schemes(app: Flask) -> dict[str, str]:
    """The level schemes plug-ins added: name to the scheme's own title, for the admin's choices."""
    return dict(app.extensions.get("tilearn.plugin_schemes", {}))


def level_scheme(app: Flask, name: str) -> LevelScheme:
    """The level scheme called ``name``: one a plug-in added, else shipped or a path (loaded once)."""
    schemes: dict[str, LevelScheme] = app.extensions.setdefault("tilearn.schemes", {})
    if name not in schemes:
        schemes[name] = load_scheme(name)
    return schemes[name]
