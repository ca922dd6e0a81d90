"""Modules given as text and files (the site's versions, an upload), checked exactly as folders are.

The parser reads a module from its folder (the folder's name is the module's id, images sit
beside the markdown), so a module given as text is first written to a folder of its own under
a cache directory, named by its content hash: the same text always lands in the same place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath

from tilearn.engine.assets import ASSET_TYPES, safe_asset_path
from tilearn.engine.blocks import BlockType
from tilearn.engine.levels import LevelScheme
from tilearn.engine.library import make_parser, prerequisite_problems
from tilearn.engine.lint import ID
from tilearn.engine.registry import Registry
from tilearn.engine.render import LinkStyle
from tilearn.engine.spec import Glossary, Module, Problem

#: The name a module's markdown is written under in its folder.
MARKDOWN_FILE = "module.md"


def normalise_newlines(markdown: str) -> str:
    """The text with every line ending as a plain newline (a browser's text area sends CR LF)."""
    return markdown.replace("\r\n", "\n").replace("\r", "\n")


def text_hash(markdown: str, files: Mapping[str, bytes]) -> str:
    """SHA-256 over the text and its files: the same as library.content_hash of its folder."""
    digest = hashlib.sha256(markdown.encode("utf-8", "surrogateescape"))
    for path in sorted(files, key=lambda name: PurePosixPath(name).parts):
        digest.update(path.encode("utf-8", "surrogateescape"))
        digest.update(hashlib.sha256(files[path]).digest())
    return digest.hexdigest()


def bad_file_names(names: Iterable[str]) -> list[str]:
    """The file names a module may not carry (wrong type, hidden, or reaching outside its folder)."""
    return sorted(name for name in names if not safe_asset_path(name))


def file_rule() -> str:
    """What a module's files may be, in plain words."""
    return "only images and PDF handouts (" + ", ".join(sorted(ASSET_TYPES)) + ") inside the module's folder"


def materialise(root: Path, module_id: str, markdown: str, files: Mapping[str, bytes]) -> Path:
    """Write the module to root/<content hash>/<module_id>/ (module.md and its files) once; its folder.

    Written to a temporary folder first and moved into place, so a reader never sees half a
    module. Raises ValueError for a module id or file name that could not be a module's.
    """
    if not ID.match(module_id):
        raise ValueError(f"'{module_id}' is not a module id: use lower-case letters, digits and hyphens")
    bad = bad_file_names(files)
    if bad:
        raise ValueError(f"these files cannot be part of a module: {', '.join(bad)}; {file_rule()}")
    digest = text_hash(markdown, files)
    target = root / digest
    folder = target / module_id
    if (folder / MARKDOWN_FILE).is_file():
        return folder
    root.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=root, prefix=".writing-"))
    try:
        inside = temporary / module_id
        inside.mkdir()
        (inside / MARKDOWN_FILE).write_bytes(markdown.encode("utf-8", "surrogateescape"))
        for name, data in files.items():
            path = inside.joinpath(*name.split("/"))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            os.replace(temporary, target)
        except OSError:
            if not (folder / MARKDOWN_FILE).is_file():  # not another process writing the same text
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return folder


def parse_text(
    root: Path,
    module_id: str,
    markdown: str,
    files: Mapping[str, bytes] | None,
    scheme: LevelScheme,
    *,
    blocks: Registry[BlockType] | None = None,
    glossary: Glossary | None = None,
    known_ids: Collection[str] = (),
    sensitive_words: Iterable[str] = (),
    links: LinkStyle | None = None,
    display_path: str | None = None,
) -> Module:
    """Check and render a module given as text, as load_library would; its problems sorted, each once.

    ``known_ids`` are the other modules' ids, which its prerequisites may name; ``glossary``
    the shared glossary its terms must be in (None: not checked).
    """
    files = dict(files or {})
    display = display_path or f"{module_id}/{MARKDOWN_FILE}"
    problems: list[Problem] = []
    bad = bad_file_names(files)
    if bad:
        problems.append(
            Problem(display, 1, f"these files cannot be part of a module: {', '.join(bad)}; {file_rule()}")
        )
        files = {name: data for name, data in files.items() if name not in bad}
    if not ID.match(module_id):
        problems.append(
            Problem(
                display, 1, f"'{module_id}' is not a module id: use lower-case letters, digits and hyphens"
            )
        )
        return _placeholder(module_id, display, problems)
    folder = materialise(root, module_id, normalise_newlines(markdown), files)
    glossary_ids = glossary.ids() if glossary is not None and glossary.terms else None
    parser = make_parser(scheme, blocks, links, glossary_ids, sensitive_words)
    module = parser.parse(folder / MARKDOWN_FILE, display, folder.parent.name)
    known = frozenset(known_ids) | {module.id}
    problems.extend(module.problems)
    problems.extend(prerequisite_problems(module, known))
    return replace(module, problems=tuple(sorted(dict.fromkeys(problems), key=lambda p: (p.path, p.line))))


def _placeholder(module_id: str, display: str, problems: list[Problem]) -> Module:
    return Module(
        id=module_id,
        title=module_id,
        level="",
        version="",
        summary="",
        minutes=0,
        framework="",
        path=display,
        content_hash="",
        problems=tuple(problems),
    )
