"""The module library for this app: built at start-up, rebuilt when the site's library changes.

The library is the modules on disk (modules/ and installed packages) plus the versions published
on the site (which win over a folder of the same id), less retired modules, with every module's
version history. Publishing raises a generation number in the database; before a request, each
worker compares it at most once every LIBRARY_CHECK_SECONDS (otherwise the check is one clock
read) and, when it moved, builds the library again and swaps it in whole.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, has_app_context
from jinja2 import ChoiceLoader, FileSystemLoader, TemplateNotFound
from sqlalchemy.exc import SQLAlchemyError

from tilearn.config import PROJECT_ROOT
from tilearn.engine import Library, load_library
from tilearn.engine.blocks import BlockType, PluginError, default_block_types
from tilearn.engine.library import installed_module_directories
from tilearn.engine.registry import Registry
from tilearn.engine.spec import Block
from tilearn.extensions import db
from tilearn.plugins import level_scheme

#: Ordinary markdown between special blocks is drawn like any block, by this template.
HTML_TEMPLATE = "blocks/html.html"
#: After the database did not answer, wait this long before asking again (a dead server can take
#: its connect timeout to say so, and pages that need no database must stay quick).
RETRY_SECONDS = 5.0
log = logging.getLogger("tilearn.library")


@dataclass
class LibraryState:
    """What the app serves: the library, the directories it came from and the block types."""

    library: Library
    directories: list[Path]
    blocks: Registry[BlockType]
    #: the library generation it was built at; None when the database could not be read
    generation: int | None = None


@dataclass
class _Check:
    """When this worker next asks the database whether the library changed."""

    next_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def build_library(
    app: Flask, progress: Callable[[Path], None] | None = None, blocks: Registry[BlockType] | None = None
) -> LibraryState:
    """Load the modules on disk, those installed packages add and the site's, with the configured scheme.

    Works with no database, or one not yet migrated: then only the modules on disk are served,
    and the next check tries the database again.
    """
    if not has_app_context():
        with app.app_context():
            return build_library(app, progress, blocks)
    from tilearn.services import site_library

    directories = [Path(d) for d in app.config["MODULES_DIRS"]] + installed_module_directories()
    blocks = blocks if blocks is not None else default_block_types()
    site: site_library.SiteLibrary | None = None
    try:
        with site_library.reading() as connection:
            site = site_library.read_site_library(connection, _text_root(app))
    except (SQLAlchemyError, OSError) as error:
        # A database not created or migrated yet (`flask db upgrade` itself) is not worth a warning.
        level = logging.INFO if "library_generation" in _first_line(error) else logging.WARNING
        log.log(
            level,
            "the site's published modules could not be read; serving module folders: %s",
            _first_line(error),
        )
    library = load_library(
        directories,
        level_scheme(app, app.config["LEVEL_SCHEME"]),
        blocks=blocks,
        cache_dir=Path(app.config["CACHE_DIR"]),
        display_root=PROJECT_ROOT,
        progress=progress,
        sensitive_words=app.config.get("SENSITIVE_WORDS_EXTRA") or (),
        site_folders=site.folders if site else None,
        retired=site.retired if site else (),
    )
    if site is not None:
        try:
            with site_library.reading() as connection:
                history = site_library.read_history(connection)
            if site_library.record_file_versions(library, frozenset(site.folders), history):
                with site_library.reading() as connection:
                    history = site_library.read_history(connection)
            library.history = history
        except SQLAlchemyError as error:
            log.warning("the modules' version history could not be read: %s", _first_line(error))
            site = None
    return LibraryState(library, directories, blocks, site.generation if site else None)


def _text_root(app: Flask) -> Path:
    from tilearn.services.module_versions import TEXT_FOLDER

    return Path(app.config["CACHE_DIR"]) / TEXT_FOLDER


def _first_line(error: BaseException) -> str:
    return (str(getattr(error, "orig", None) or error).splitlines() or ["?"])[0]


def check_for_changes(app: Flask) -> bool:
    """Rebuild the library if its generation moved (True when it did); asks at most once a period."""
    check: _Check = app.extensions["tilearn.library_check"]
    now = time.monotonic()
    if now < check.next_at or not check.lock.acquire(blocking=False):
        return False  # checked recently, or another thread of this worker is checking
    try:
        period = float(app.config.get("LIBRARY_CHECK_SECONDS", 1))
        check.next_at = now + period
        from tilearn.services import site_library

        try:
            generation = site_library.current_generation()
        except SQLAlchemyError:
            check.next_at = now + max(period, RETRY_SECONDS)
            try:
                db.session.rollback()  # the request starts clean (an error page needs no database)
            except SQLAlchemyError:
                log.debug("rollback failed after the library check", exc_info=True)
            return False
        state: LibraryState = app.extensions["tilearn.library"]
        if generation == state.generation:
            return False
        try:
            fresh = build_library(app, blocks=state.blocks)
        except Exception:  # noqa: BLE001 - a library that cannot be rebuilt must not stop the site
            log.exception("the module library could not be rebuilt; still serving the one loaded before")
            return False
        app.extensions["tilearn.library"] = fresh  # one reference swapped: a request sees old or new, whole
        log.info("module library reloaded at generation %s", fresh.generation)
        return True
    finally:
        check.lock.release()


def init_app(app: Flask) -> None:
    """Load the library now (so no request parses markdown) and set up drawing every block type."""
    state = build_library(app)
    app.extensions["tilearn.library"] = state
    app.extensions["tilearn.library_check"] = _Check(
        time.monotonic() + float(app.config.get("LIBRARY_CHECK_SECONDS", 1))
    )

    @app.before_request
    def _library_changed() -> None:
        check_for_changes(app)

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
