"""What the site adds to the modules on disk: published versions, their history, retired modules.

Read and written on a connection of its own (never the request's transaction): the library is
built at start-up, before any request, and rebuilt by whichever request first notices the
library generation moved. Which wins: a module with any version published on the site (not
"file") is served from its newest such version; a module only on disk is served from disk, and
each version the site serves from disk is added to the history once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tilearn.database import writing_connection
from tilearn.engine import Library
from tilearn.engine.assets import safe_asset_path
from tilearn.engine.text import MARKDOWN_FILE, materialise
from tilearn.engine.versions import VersionInfo, highest_label, in_order, label_key
from tilearn.extensions import db
from tilearn.models import LibraryGeneration, ModuleVersion, ModuleVersionFile, RetiredModule
from tilearn.models.types import utcnow

#: The "what changed" note of a version first served from the modules folder.
FILE_NOTE = "This version came from the site's module files; no note was given."


@dataclass
class SiteLibrary:
    """The site's side of the library, read at one library generation."""

    generation: int
    #: module id -> folder of its newest site-published version (materialised)
    folders: dict[str, Path] = field(default_factory=dict)
    retired: frozenset[str] = frozenset()


@contextmanager
def reading() -> Iterator[Connection]:
    """A connection of its own for reading the site's library."""
    with db.engine.connect() as connection:
        yield connection


def read_generation(connection: Connection) -> int:
    """The library generation (0 when the database has none yet)."""
    return connection.scalar(select(LibraryGeneration.generation).where(LibraryGeneration.id == 1)) or 0


def current_generation() -> int:
    """The library generation, read in the request's own (read) transaction: the cheapest way to ask.

    The request reads the database anyway (who is signed in), so this adds one single-row SELECT.
    """
    return db.session.execute(_GENERATION).scalar() or 0


_GENERATION = select(LibraryGeneration.generation).where(LibraryGeneration.id == 1)


def read_site_library(connection: Connection, root: Path) -> SiteLibrary:
    """The generation, each module's newest site version (as a folder under root) and the retired ids."""
    generation = read_generation(connection)  # first: anything published meanwhile moves it again
    rows = connection.execute(
        select(
            ModuleVersion.id, ModuleVersion.module_id, ModuleVersion.version, ModuleVersion.content_hash
        ).where(ModuleVersion.source != "file", ModuleVersion.markdown.is_not(None))
    ).all()
    newest: dict[str, tuple[int, str, str]] = {}
    for row in rows:
        known = newest.get(row.module_id)
        if known is None or label_key(row.version) > label_key(known[1]):
            newest[row.module_id] = (row.id, row.version, row.content_hash)
    folders = {}
    for module_id, (version_id, _label, digest) in newest.items():
        folder = root / digest / module_id
        if not (folder / MARKDOWN_FILE).is_file():
            markdown = connection.scalar(select(ModuleVersion.markdown).where(ModuleVersion.id == version_id))
            found = connection.execute(
                select(ModuleVersionFile.path, ModuleVersionFile.data).where(
                    ModuleVersionFile.version_id == version_id
                )
            )
            files = {row.path: bytes(row.data) for row in found}
            folder = materialise(root, module_id, markdown or "", files)
        folders[module_id] = folder
    retired = frozenset(connection.scalars(select(RetiredModule.module_id)))
    return SiteLibrary(generation, folders, retired)


def read_history(connection: Connection) -> dict[str, tuple[VersionInfo, ...]]:
    """Every module's versions, oldest first, as statuses need them."""
    found: dict[str, list[VersionInfo]] = {}
    for row in connection.execute(
        select(
            ModuleVersion.module_id,
            ModuleVersion.version,
            ModuleVersion.material,
            ModuleVersion.note,
            ModuleVersion.published_at,
        )
    ):
        found.setdefault(row.module_id, []).append(
            VersionInfo(row.version, bool(row.material), row.note or "", row.published_at)
        )
    return {module_id: tuple(in_order(infos)) for module_id, infos in found.items()}


def _disk_files(folder: Path, markdown_file: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and path != markdown_file and safe_asset_path(name):
            files[name] = path.read_bytes()
    return files


def record_file_versions(
    library: Library, site_ids: frozenset[str], history: dict[str, tuple[VersionInfo, ...]]
) -> int:
    """Add each version served from disk that the history lacks (or has without its text); how many.

    Insert-or-nothing, so workers starting together add each version once.
    """
    served = {
        module_id: module
        for module_id, module in library.all_modules.items()
        if module_id not in site_ids and module.version and module_id in library.folders
    }
    wanted = [m for m in served.values() if all(v.label != m.version for v in history.get(m.id, ()))]
    if len(wanted) < len(served):
        with reading() as connection:
            found = connection.execute(
                select(ModuleVersion.module_id, ModuleVersion.version).where(
                    ModuleVersion.markdown.is_(None), ModuleVersion.module_id.in_(sorted(served))
                )
            )
            textless = {(row.module_id, row.version) for row in found}
        wanted += [m for m in served.values() if (m.id, m.version) in textless]
    if not wanted:
        return 0
    added = 0
    with writing_connection() as connection:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        for module in wanted:
            folder = library.folders[module.id]
            markdown_file = next(folder.glob("*.md"))
            markdown = markdown_file.read_text(encoding="utf-8")
            values = {
                "markdown": markdown,
                "content_hash": module.content_hash,
                "material": module.material_change,
                "note": FILE_NOTE,
            }
            inserted = connection.execute(
                dialect.insert(ModuleVersion)
                .values(
                    module_id=module.id,
                    version=module.version,
                    published_at=utcnow(),
                    source="file",
                    **values,
                )
                .on_conflict_do_nothing()
                .returning(ModuleVersion.id)
            ).scalar()
            if inserted is None:
                inserted = connection.execute(
                    update(ModuleVersion)
                    .where(
                        ModuleVersion.module_id == module.id,
                        ModuleVersion.version == module.version,
                        ModuleVersion.markdown.is_(None),
                    )
                    .values(**values)
                    .returning(ModuleVersion.id)
                ).scalar()
            if inserted is None:
                continue  # another worker got there first
            added += 1
            for path, data in _disk_files(folder, markdown_file).items():
                connection.execute(
                    dialect.insert(ModuleVersionFile)
                    .values(version_id=inserted, path=path, data=data)
                    .on_conflict_do_nothing()
                )
    return added


__all__ = [
    "FILE_NOTE",
    "SiteLibrary",
    "highest_label",
    "read_history",
    "read_site_library",
    "record_file_versions",
]
