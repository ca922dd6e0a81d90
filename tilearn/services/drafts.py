"""Trainers' drafts: start, upload, edit, discard. A draft is private until it is published.

Nothing here makes a module live: learners, managers' reports, certificates and /verify read
published versions and the library only, never these tables.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import delete, select

from tilearn.database import writes
from tilearn.engine.assets import ASSET_TYPES
from tilearn.engine.lint import MAX_ASSET_BYTES, MAX_MODULE_BYTES
from tilearn.engine.spec import ID_PATTERN
from tilearn.extensions import db
from tilearn.models.drafts import ModuleDraft, ModuleDraftFile
from tilearn.models.types import utcnow
from tilearn.services.audit import record_event

#: A zip may hold at most this many files, and this much once unpacked.
MAX_ZIP_FILES = 60
MAX_ZIP_BYTES = 20 * 1024 * 1024
MODULE_ID = re.compile(ID_PATTERN)
_FRONT_MATTER_ID = re.compile(r"^id:[ \t]*[\"']?([^\"'\s#]*)[\"']?[ \t]*(?:#.*)?$", re.M)
#: Left out of a zip without a word: what file managers add by themselves.
_IGNORED = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


class DraftRefused(ValueError):
    """The draft could not be made or changed; the message says why in plain words."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Upload:
    """A module read from an uploaded file: its id, its markdown and its other files."""

    module_id: str
    markdown: str
    files: dict[str, bytes]


def get_draft(module_id: str) -> ModuleDraft | None:
    """The draft of a module, or None."""
    return db.session.get(ModuleDraft, module_id)


def all_drafts() -> list[ModuleDraft]:
    """Every draft, most recently changed first."""
    return list(db.session.scalars(select(ModuleDraft).order_by(ModuleDraft.updated_at.desc())))


def draft_files(module_id: str) -> dict[str, bytes]:
    """A draft's images and handouts, by path inside the module folder."""
    rows = db.session.scalars(select(ModuleDraftFile).where(ModuleDraftFile.module_id == module_id))
    return {row.path: row.data for row in rows}


def template_markdown(module_id: str, title: str, level: str) -> str:
    """A small module that passes the checker, to start writing from."""
    title = title.replace('"', "'")
    return f"""---
id: {module_id}
title: "{title}"
level: {level}
version: "1.0"
summary: One or two sentences that tell learners what this module is about.
minutes: 2
outcomes:
  - theme: knowledge-and-awareness
    text: Say what learners will be able to do after this module.
framework: West Midlands Trauma Informed Workforce Learning and Development Framework
---
A few words of welcome. Learners see this on the module's overview page.

## First section {{#first-section}}

Write what learners read here, in ordinary markdown.

::: single-choice {{#q-first}}
Write a question here.

- [x] A right answer
  Say kindly why this answer is right.
- [ ] Another answer
  Say kindly what this answer misses, and why.
:::

::: reflection {{#r-first}}
A question for learners to think about privately.
:::
"""


def _check_new_id(module_id: str, taken: set[str]) -> None:
    if not MODULE_ID.match(module_id):
        raise DraftRefused(
            "Enter a module id of lower-case letters, digits and hyphens, starting with a letter or "
            "digit, at most 64 characters (for example aware-listening-well)",
            "module_id",
        )
    if module_id in taken:
        raise DraftRefused(
            f"There is already a module called {module_id}; choose another id, or edit that module",
            "module_id",
        )
    if get_draft(module_id) is not None:
        raise DraftRefused(
            f"There is already a draft of {module_id}; open it from the workspace, or choose another id",
            "module_id",
        )


@writes
def start_from_template(
    actor_id: int, module_id: str, title: str, level: str, taken: set[str]
) -> ModuleDraft:
    """A new draft made from the template; ``taken`` are the ids of modules that already exist."""
    module_id = module_id.strip()
    _check_new_id(module_id, taken)
    if not title.strip():
        raise DraftRefused("Enter the module's title", "title")
    draft = _put(actor_id, module_id, template_markdown(module_id, title.strip(), level), {}, None)
    record_event(actor_id, "draft.started", f"module:{module_id}", "from the template")
    return draft


@writes
def start_from_upload(actor_id: int, upload: Upload, based_on_version: str | None) -> ModuleDraft:
    """A new draft from an uploaded file (of a new module, or of one already published)."""
    if get_draft(upload.module_id) is not None:
        raise DraftRefused(
            f"There is already a draft of {upload.module_id}; open it and save your changes there, "
            "or discard it first",
            "file",
        )
    draft = _put(actor_id, upload.module_id, upload.markdown, upload.files, based_on_version)
    record_event(actor_id, "draft.uploaded", f"module:{upload.module_id}", f"{len(upload.files)} other files")
    return draft


@writes
def start_from_published(
    actor_id: int, module_id: str, markdown: str, files: dict[str, bytes], version: str | None
) -> ModuleDraft:
    """A draft holding the published text and files of a module ("Edit"); an existing draft is kept."""
    existing = get_draft(module_id)
    if existing is not None:
        return existing
    draft = _put(actor_id, module_id, markdown, files, version)
    record_event(
        actor_id,
        "draft.started",
        f"module:{module_id}",
        f"from version {version}" if version else "from disk",
    )
    return draft


@writes
def save_text(actor_id: int, module_id: str, markdown: str) -> ModuleDraft:
    """Replace a draft's markdown with what the trainer saved."""
    draft = get_draft(module_id)
    if draft is None:
        raise LookupError(module_id)
    markdown = markdown.replace("\r\n", "\n")
    if len(markdown.encode("utf-8")) > MAX_MODULE_BYTES:
        raise DraftRefused(f"The module text can be {MAX_MODULE_BYTES // 1024} KB at most", "markdown")
    draft.markdown = markdown
    draft.updated_at = utcnow()
    draft.updated_by_id = actor_id
    db.session.flush()
    return draft


@writes
def discard(actor_id: int, module_id: str, why: str = "discarded") -> bool:
    """Remove a draft and its files; False when there was none (a second click changes nothing)."""
    if get_draft(module_id) is None:
        return False
    db.session.execute(delete(ModuleDraftFile).where(ModuleDraftFile.module_id == module_id))
    db.session.execute(delete(ModuleDraft).where(ModuleDraft.module_id == module_id))
    if why == "discarded":
        record_event(actor_id, "draft.discarded", f"module:{module_id}")
    return True


def _put(
    actor_id: int, module_id: str, markdown: str, files: dict[str, bytes], based_on: str | None
) -> ModuleDraft:
    draft = ModuleDraft(
        module_id=module_id,
        markdown=markdown,
        updated_at=utcnow(),
        updated_by_id=actor_id,
        based_on_version=based_on,
    )
    db.session.add(draft)
    db.session.flush()
    for path, data in sorted(files.items()):
        db.session.add(ModuleDraftFile(module_id=module_id, path=path, data=data))
    db.session.flush()
    return draft


# Reading uploads


def read_upload(filename: str, data: bytes) -> Upload:
    """A module from an uploaded ``.md`` file or ``.zip`` of its folder; DraftRefused says what is wrong."""
    name = filename.lower()
    if name.endswith(".md"):
        return Upload(*_module_text(data, filename), files={})
    if name.endswith(".zip"):
        return _read_zip(data)
    raise DraftRefused("Choose a .md file or a .zip of the module's folder", "file")


def _module_text(data: bytes, name: str) -> tuple[str, str]:
    """(module id, markdown) from a module file's bytes."""
    if not data.strip():
        raise DraftRefused(f"{name} is empty", "file")
    if len(data) > MAX_MODULE_BYTES:
        raise DraftRefused(f"{name} is larger than {MAX_MODULE_BYTES // 1024} KB", "file")
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise DraftRefused(
            f"{name} is not UTF-8 text; save it as UTF-8 and upload it again", "file"
        ) from None
    front = text.split("\n---", 1)[0] if text.startswith("---") else ""
    found = _FRONT_MATTER_ID.search(front)
    if found is None or not MODULE_ID.match(found.group(1)):
        raise DraftRefused(
            f"{name} has no module id: its front matter needs a line like “id: aware-listening-well” "
            "(lower-case letters, digits and hyphens)",
            "file",
        )
    return found.group(1), text


def _read_zip(data: bytes) -> Upload:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [e for e in archive.infolist() if not e.is_dir() and not _ignored(e.filename)]
    except (zipfile.BadZipFile, ValueError):
        raise DraftRefused("The file is not a zip file that can be opened", "file") from None
    if len(entries) > MAX_ZIP_FILES:
        raise DraftRefused(
            f"The zip holds {len(entries)} files; a module can have {MAX_ZIP_FILES} at most", "file"
        )
    if sum(e.file_size for e in entries) > MAX_ZIP_BYTES:
        raise DraftRefused(f"The zip unpacks to more than {MAX_ZIP_BYTES // 1024 // 1024} MB", "file")
    if any(e.flag_bits & 0x1 for e in entries):
        raise DraftRefused("The zip is protected by a password; make one without a password", "file")
    unsafe = [e.filename for e in entries if not _safe_name(e.filename)]
    if unsafe:
        raise DraftRefused(f"The zip has file names that cannot be used: {', '.join(unsafe[:5])}", "file")
    markdown = [e for e in entries if e.filename.lower().endswith(".md") and _name(e) != "glossary.md"]
    if len(markdown) != 1:
        what = "no module file (.md)" if not markdown else f"{len(markdown)} .md files"
        raise DraftRefused(f"The zip has {what}; a module folder holds exactly one", "file")
    folder = PurePosixPath(markdown[0].filename).parent
    files: dict[str, bytes] = {}
    refused: list[str] = []
    for entry in entries:
        if entry is markdown[0] or _name(entry) == "glossary.md":
            continue
        path = PurePosixPath(entry.filename)
        if folder != PurePosixPath(".") and folder not in path.parents:
            refused.append(f"{entry.filename} (outside the module's folder)")
        elif path.suffix.lower() not in ASSET_TYPES:
            refused.append(f"{entry.filename} (a {path.suffix or 'file with no'} type)")
        elif entry.file_size > MAX_ASSET_BYTES:
            refused.append(f"{entry.filename} (larger than {MAX_ASSET_BYTES // 1024 // 1024} MB)")
        else:
            files[str(path.relative_to(folder))] = _read(archive, entry, MAX_ASSET_BYTES)
    if refused:
        kinds = ", ".join(sorted({s.lstrip(".") for s in ASSET_TYPES}))
        raise DraftRefused(
            f"The zip has files a module cannot hold: {'; '.join(refused[:5])}. "
            f"Only images and handouts ({kinds}) of up to 1 MB each can go with the module file",
            "file",
        )
    module_id, text = _module_text(_read(archive, markdown[0], MAX_MODULE_BYTES), _name(markdown[0]))
    return Upload(module_id, text, files)


def _read(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes, reading no more than the limit whatever its header claims."""
    with archive.open(entry) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise DraftRefused(f"{entry.filename} is larger than it says it is", "file")
    return data


def _name(entry: zipfile.ZipInfo) -> str:
    return PurePosixPath(entry.filename).name.lower()


def _ignored(name: str) -> bool:
    return name.startswith(_IGNORED[0]) or PurePosixPath(name).name in _IGNORED[1:]


def _safe_name(name: str) -> bool:
    """No absolute paths, drive letters, backslashes, '..', hidden parts or control characters."""
    if not name or name.startswith("/") or "\\" in name or ":" in name or any(ord(c) < 32 for c in name):
        return False
    parts = name.split("/")
    return not any(part in ("", ".", "..") or part.startswith(".") for part in parts)
