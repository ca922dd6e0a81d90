"""Which files in a module's folder learners may fetch: an allow-list by type, checked after normalising."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

#: File types a module may link to or show, with the type they are served as.
ASSET_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}


def asset_type(path: str) -> str | None:
    """The content type a module file is served as, or None when learners may not fetch it."""
    return ASSET_TYPES.get(PurePosixPath(path).suffix.lower()) if path else None


def safe_asset_path(path: str) -> bool:
    """True when ``path`` may name a file in a module's folder: an allowed type, no traversal or hidden parts.

    Refuses empty, ``.`` and ``..`` segments, hidden files, backslashes and control characters.
    """
    if not path or "\\" in path or any(ord(ch) < 32 for ch in path):
        return False
    parts = path.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") or part != part.strip() for part in parts):
        return False
    return asset_type(path) is not None and not parts[-1].endswith(".")


def resolve_asset(folder: Path, path: str) -> Path | None:
    """The file a learner may fetch for ``path`` inside ``folder``, or None for anything else.

    Refuses empty, ``.`` and ``..`` segments, hidden files, backslashes and control characters
    before looking at the disk, then checks the real path is still inside the folder.
    """
    if not safe_asset_path(path):
        return None
    root = folder.resolve()
    candidate = root.joinpath(*path.split("/")).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate
