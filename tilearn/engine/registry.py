"""A small registry of named plug-ins that refuses duplicates (no module-level dicts)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class DuplicateNameError(ValueError):
    """Two plug-ins asked for the same name."""


class Registry(Generic[T]):
    """Plug-ins looked up by name; registering a name twice raises."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T) -> T:
        """Add ``item`` under ``name``; raises DuplicateNameError if the name is taken."""
        if name in self._items:
            raise DuplicateNameError(f"{self._what} {name!r} is registered twice")
        self._items[name] = item
        return item

    def get(self, name: str) -> T | None:
        """The item registered under ``name``, or None."""
        return self._items.get(name)

    def __getitem__(self, name: str) -> T:
        return self._items[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def __len__(self) -> int:
        return len(self._items)
