"""The module library for this app: loaded once at start-up, kept in app.extensions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from tilearn.config import PROJECT_ROOT
from tilearn.engine import Library, load_library
from tilearn.engine.levels import load_scheme


@dataclass
class LibraryState:
    """What create_app loaded: the library and the directories it came from."""

    library: Library
    directories: list[Path]


def build_library(app: Flask, progress=None) -> LibraryState:
    """Load the configured modules with the configured level scheme."""
    directories = [Path(d) for d in app.config["MODULES_DIRS"]]
    library = load_library(
        directories,
        load_scheme(app.config["LEVEL_SCHEME"]),
        cache_dir=Path(app.config["CACHE_DIR"]),
        display_root=PROJECT_ROOT,
        progress=progress,
    )
    return LibraryState(library, directories)


def init_app(app: Flask) -> None:
    """Load the library now, so no request ever parses markdown."""
    app.extensions["tilearn.library"] = build_library(app)


def current_library() -> Library:
    """The library of the running app."""
    return current_app.extensions["tilearn.library"].library
