"""Reading the scheme's YAML data files (level schemes, audit frameworks, checklists) with plain errors.

Every error names the kind of file and the file, and for a YAML mistake the line, so a trainer or
admin who edited it knows where to look. Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tilearn.engine.frontmatter import FrontMatterError, load_yaml

T = TypeVar("T")


class DataFileError(ValueError):
    """A data file that cannot be used; the message already names the file."""


class Keyed(Protocol):
    """Anything with a ``key``: a question, an option, a criterion."""

    @property
    def key(self) -> str: ...


def data_path(shipped: Path, name_or_path: str, beside: Path | None = None) -> Path:
    """A shipped file by name (``shipped/<name>.yaml``), else a path (relative to ``beside`` when given)."""
    path = shipped / f"{name_or_path}.yaml"
    if path.is_file():
        return path
    return beside / name_or_path if beside is not None else Path(name_or_path)


def load_data_file(path: Path, kind: str, name: str, parse: Callable[[Any], T]) -> T:
    """``parse`` of a YAML file's data; a DataFileError naming the ``kind`` of file when it is unusable.

    ``parse`` raises ValueError with a plain message, or KeyError/TypeError for a missing or odd field.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataFileError(f"{kind} {name!r} cannot be read: {error}") from None
    try:
        return parse(load_yaml(text, what=f"{kind} {path}").data)
    except DataFileError:
        raise
    except FrontMatterError as error:
        raise DataFileError(f"{error} (line {error.line})") from None
    except (KeyError, TypeError, ValueError) as error:
        raise DataFileError(f"{kind} {path} is missing or has a bad field: {error}") from None


def listed(data: Any, field: str, message: str, *, may_be_empty: bool = False) -> list[Any]:
    """``data[field]`` when data is a mapping and that is a list (with items, unless may_be_empty)."""
    items = data.get(field) if isinstance(data, dict) else None
    if not isinstance(items, list) or not (items or may_be_empty):
        raise ValueError(message)
    return items


def repeated(items: Iterable[Keyed]) -> bool:
    """Whether two of the items have the same key."""
    keys = [item.key for item in items]
    return len(set(keys)) != len(keys)
