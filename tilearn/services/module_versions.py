"""The site's module versions: checking a module's text, publishing, history, rollback and retiring."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app

from tilearn.engine import Module
from tilearn.engine.text import parse_text

#: Where modules given as text are written to be parsed, under CACHE_DIR.
TEXT_FOLDER = "module-text"


def _library_state() -> Any:
    """The running app's library state (tilearn.web.library_state.LibraryState)."""
    state = current_app.extensions.get("tilearn.library")
    if state is None:  # a command that did not load the library
        from tilearn.web.library_state import build_library

        state = current_app.extensions["tilearn.library"] = build_library(current_app)
    return state


def text_root() -> Path:
    """The folder modules given as text are materialised in."""
    return Path(current_app.config["CACHE_DIR"]) / TEXT_FOLDER


def check_module(module_id: str, markdown: str, files: Mapping[str, bytes] | None = None) -> Module:
    """Parse a module's text and files against the site's library; the Module carries its problems.

    The same checks as the site's library and `flask modules lint`: the level scheme, the block
    types of installed plug-ins, the shared glossary, the other modules' ids for prerequisites and
    the organisation's SENSITIVE_WORDS_EXTRA. Its ``problems`` are sorted by line, each once;
    any with ``is_error`` block publishing.
    """
    state = _library_state()
    library = state.library
    return parse_text(
        text_root(),
        module_id,
        markdown,
        files,
        library.scheme,
        blocks=state.blocks,
        glossary=library.glossary,
        known_ids=set(library.all_modules),
        sensitive_words=current_app.config.get("SENSITIVE_WORDS_EXTRA") or (),
    )
