"""The site's module versions: checking a module's text, publishing, history, rollback and retiring."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, select, update

from tilearn.database import writes
from tilearn.engine import Module, versions
from tilearn.engine.text import normalise_newlines, parse_text, text_hash
from tilearn.engine.versions import label_key
from tilearn.extensions import db
from tilearn.models import LibraryGeneration, ModuleVersion, ModuleVersionFile, RetiredModule
from tilearn.models.library import VERSION_SOURCES
from tilearn.models.types import utcnow
from tilearn.services.audit import record_event

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


def checked_folder(module: Module) -> Path | None:
    """The folder check_module wrote a module's text and files to (for a preview's images), or None."""
    folder = text_root() / module.content_hash / module.id
    return folder if module.content_hash and folder.is_dir() else None


class PublishRefused(Exception):
    """Publishing was refused; ``messages`` say why, in plain words, one per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class DiffLine:
    """One line of the differences between two texts."""

    kind: str  #: "same", "added", "removed" or "gap" (unchanged lines left out)
    old_line: int | None  #: its number in the old text
    new_line: int | None  #: its number in the new text
    text: str


def _versions(module_id: str) -> list[ModuleVersion]:
    """Every version of a module, oldest first (labels rise with each one)."""
    rows = db.session.scalars(select(ModuleVersion).where(ModuleVersion.module_id == module_id))
    return sorted(rows, key=lambda v: label_key(v.version))


def history(module_id: str) -> list[ModuleVersion]:
    """Every published version of a module, newest first."""
    return _versions(module_id)[::-1]


def current_version(module_id: str) -> ModuleVersion | None:
    """The newest version of a module (the one learners get), or None when it has none."""
    versions = _versions(module_id)
    return versions[-1] if versions else None


def get_version(module_id: str, version_id: int) -> ModuleVersion | None:
    """One version of this module by its id, or None (also for another module's version)."""
    version = db.session.get(ModuleVersion, version_id)
    return version if version is not None and version.module_id == module_id else None


def version_files(version_id: int) -> dict[str, bytes]:
    """The images and handouts of a version, by path."""
    rows = db.session.execute(
        select(ModuleVersionFile.path, ModuleVersionFile.data).where(
            ModuleVersionFile.version_id == version_id
        )
    )
    return {path: bytes(data) for path, data in rows}


def next_label(module_id: str) -> str:
    """A suggestion for the next version's label: the highest one with its last number raised."""
    current = current_version(module_id)
    return versions.next_label(current.version if current else None)


def changes_since(module_id: str, version_label: str) -> list[ModuleVersion]:
    """The versions after ``version_label`` up to the current one, oldest first (what changed)."""
    key = label_key(version_label)
    return [v for v in _versions(module_id) if label_key(v.version) > key]


def library_generation() -> int:
    """The library's change counter (0 before the database has one)."""
    return db.session.scalar(select(LibraryGeneration.generation).where(LibraryGeneration.id == 1)) or 0


def bump_generation() -> int:
    """Raise the library's change counter in this transaction, so every worker reloads; the new value.

    On PostgreSQL this locks the counter's row until the transaction ends: publishers take turns.
    """
    now = utcnow()
    changed = db.session.execute(
        update(LibraryGeneration)
        .where(LibraryGeneration.id == 1)
        .values(generation=LibraryGeneration.generation + 1, changed_at=now),
        execution_options={"synchronize_session": False},
    )
    if not cast(CursorResult[Any], changed).rowcount:
        db.session.add(LibraryGeneration(id=1, generation=2, changed_at=now))
        db.session.flush()
    return library_generation()


def _material_words(material: bool) -> str:
    return "material change" if material else "not a material change"


@writes
def publish(
    actor_id: int | None,
    module_id: str,
    markdown: str,
    files: Mapping[str, bytes],
    note: str,
    material: bool,
    source: str = "site",
) -> ModuleVersion:
    """Publish a module's text and files as a new version, live on every worker within seconds; audited.

    Raises PublishRefused when the text has errors, the note for learners is empty, the version
    label does not rise, or nothing changed since the current version.
    """
    version = _publish(actor_id, module_id, markdown, files, note, material, source)
    record_event(
        actor_id,
        "module.published",
        f"module:{module_id}",
        f"version {version.version}, {_material_words(material)}",
    )
    return version


def _publish(
    actor_id: int | None,
    module_id: str,
    markdown: str,
    files: Mapping[str, bytes],
    note: str,
    material: bool,
    source: str,
    rolled_back_from: ModuleVersion | None = None,
) -> ModuleVersion:
    if source not in VERSION_SOURCES or source == "file":
        raise ValueError(f"a version cannot be published from {source!r}")
    markdown = normalise_newlines(markdown)
    files = dict(files)
    module = check_module(module_id, markdown, files)
    messages = [f"Line {p.line}: {p.message}" for p in module.problems if p.is_error]
    note = note.strip()
    if not note:
        messages.append("Write a short note for learners saying what changed.")
    bump_generation()  # first: it makes publishers of this library take turns
    current = current_version(module_id)
    digest = text_hash(markdown, files)
    if current is not None and current.content_hash == digest:
        messages.append(f"Nothing has changed since version {current.version}.")
    elif current is not None and module.version and label_key(module.version) <= label_key(current.version):
        messages.append(
            f"Version labels must rise: the last published is {current.version}; "
            f"write {versions.next_label(current.version)} or higher in `version:`."
        )
    if messages:
        raise PublishRefused(messages)
    version = ModuleVersion(
        module_id=module_id,
        version=module.version,
        markdown=markdown,
        content_hash=digest,
        published_at=utcnow(),
        published_by_id=actor_id,
        note=note,
        material=material,
        source=source,
        rolled_back_from_id=rolled_back_from.id if rolled_back_from else None,
    )
    db.session.add(version)
    db.session.flush()
    db.session.add_all(
        ModuleVersionFile(version_id=version.id, path=path, data=data) for path, data in files.items()
    )
    db.session.flush()
    return version


_VERSION_LINE = re.compile(r"^version\s*:.*$", re.MULTILINE)


def with_label(markdown: str, label: str) -> str:
    """The text with only the `version:` line of its front matter rewritten to ``label``."""
    lines = markdown.split("\n")
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                break
            if _VERSION_LINE.match(lines[index]):
                lines[index] = f'version: "{label}"'
                return "\n".join(lines)
    raise PublishRefused(["The older text has no `version:` line in its front matter to rewrite."])


@writes
def rollback(
    actor_id: int | None, module_id: str, version_id: int, note: str, material: bool
) -> ModuleVersion:
    """Publish an older version's text and files again, as a new version with the next label; audited."""
    older = get_version(module_id, version_id)
    if older is None:
        raise LookupError(f"module {module_id} has no version {version_id}")
    if older.markdown is None:
        raise PublishRefused(
            [
                f"The text of version {older.version} was not kept (it was served from the modules folder), "
                "so it cannot be published again."
            ]
        )
    current = current_version(module_id)
    label = versions.next_label(current.version if current else older.version)
    text = with_label(normalise_newlines(older.markdown), label)
    version = _publish(actor_id, module_id, text, version_files(older.id), note, material, "rollback", older)
    record_event(
        actor_id,
        "module.rolled_back",
        f"module:{module_id}",
        f"version {version.version} from version {older.version}, {_material_words(material)}",
    )
    return version


def diff_lines(old_text: str, new_text: str, context: int = 3) -> list[DiffLine]:
    """The differences between two texts by line, with ``context`` unchanged lines around each; [] if none."""
    old, new = normalise_newlines(old_text).split("\n"), normalise_newlines(new_text).split("\n")
    if old == new:
        return []
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        _tag, i1, _i2, j1, _j2 = group[0]
        if i1 or j1:  # unchanged lines before this group are left out
            lines.append(DiffLine("gap", None, None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", i1 + k + 1, j1 + k + 1, old[i1 + k]) for k in range(i2 - i1)]
                continue
            lines += [DiffLine("removed", i + 1, None, old[i]) for i in range(i1, i2)]
            lines += [DiffLine("added", None, j + 1, new[j]) for j in range(j1, j2)]
    _tag, _i1, i2, _j1, j2 = group[-1]
    if i2 < len(old) or j2 < len(new):
        lines.append(DiffLine("gap", None, None, ""))
    return lines


def _known_module(module_id: str) -> bool:
    library = _library_state().library
    return (
        module_id in library.all_modules
        or db.session.scalar(select(ModuleVersion.id).where(ModuleVersion.module_id == module_id).limit(1))
        is not None
    )


@writes
def retire(actor_id: int | None, module_id: str, reason: str) -> RetiredModule:
    """Stop offering a module to learners who have not started it; its records stay valid; audited."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Give a reason for retiring the module.")
    if not _known_module(module_id):
        raise LookupError(f"no module {module_id}")
    retired = db.session.get(RetiredModule, module_id)
    if retired is None:
        retired = RetiredModule(
            module_id=module_id, retired_at=utcnow(), retired_by_id=actor_id, reason=reason[:2000]
        )
        db.session.add(retired)
        db.session.flush()
        bump_generation()
        record_event(actor_id, "module.retired", f"module:{module_id}", reason[:2000])
    return retired


@writes
def restore(actor_id: int | None, module_id: str) -> None:
    """Offer a retired module to learners again; audited."""
    retired = db.session.get(RetiredModule, module_id)
    if retired is not None:
        db.session.delete(retired)
        db.session.flush()
        bump_generation()
        record_event(actor_id, "module.restored", f"module:{module_id}")


def retired_modules() -> list[RetiredModule]:
    """Every retired module, by id."""
    return list(db.session.scalars(select(RetiredModule).order_by(RetiredModule.module_id)))
