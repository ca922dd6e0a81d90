"""The module library for this app: loaded once at start-up, kept in app.extensions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from jinja2 import ChoiceLoader, FileSystemLoader, TemplateNotFound

from tilearn.config import PROJECT_ROOT
from tilearn.engine import Library, load_library
from tilearn.engine.blocks import BlockType, PluginError, default_block_types
from tilearn.engine.library import installed_module_directories
from tilearn.engine.registry import Registry
from tilearn.engine.spec import Block
from tilearn.plugins import level_scheme

#: Ordinary markdown between special blocks is drawn like any block, by this template.
HTML_TEMPLATE = "blocks/html.html"


@dataclass
class LibraryState:
    """What create_app loaded: the library, the directories it came from and the block types."""

    library: Library
    directories: list[Path]
    blocks: Registry[BlockType]


def build_library(app: Flask, progress: Callable[[Path], None] | None = None) -> LibraryState:
    """Load the configured modules, and those installed packages add, with the configured level scheme."""
    directories = [Path(d) for d in app.config["MODULES_DIRS"]] + installed_module_directories()
    blocks = default_block_types()
    library = load_library(
        directories,
        level_scheme(app, app.config["LEVEL_SCHEME"]),
        blocks=blocks,
        cache_dir=Path(app.config["CACHE_DIR"]),
        display_root=PROJECT_ROOT,
        progress=progress,
        sensitive_words=app.config.get("SENSITIVE_WORDS_EXTRA") or (),
    )
    return LibraryState(library, directories, blocks)


def init_app(app: Flask) -> None:
    """Load the library now (so no request parses markdown) and set up drawing every block type."""
    state = build_library(app)
    app.extensions["tilearn.library"] = state
    folders = [b.template_folder for name in state.blocks if (b := state.blocks[name]).template_folder]
    if folders:
        own = [app.jinja_env.loader] if app.jinja_env.loader is not None else []
        app.jinja_env.loader = ChoiceLoader([*own, FileSystemLoader(sorted(set(folders)))])
    for name in state.blocks:
        block_type = state.blocks[name]
        try:
            app.jinja_env.get_template(block_type.template)
        except TemplateNotFound:
            raise PluginError(
                f"block type {name!r} from package {block_type.package!r}: its template "
                f"{block_type.template!r} is not found"
            ) from None
    app.jinja_env.globals["block_template"] = block_template


def block_template(block: Block) -> str:
    """The template that draws a block, looked up by its kind."""
    if block.kind == "html":
        return HTML_TEMPLATE
    block_type = _state().blocks.get(block.kind)
    if block_type is None:
        raise LookupError(f"no block type {block.kind!r} is installed")
    return block_type.template


def _state() -> LibraryState:
    state: LibraryState = current_app.extensions["tilearn.library"]
    return state


def current_library() -> Library:
    """The library of the running app."""
    return _state().library
