"""Module version labels and history: which labels rise, and which records a material change outdates.

Pure Python: the site keeps the history in its database (services.module_versions) and loads a
copy into the library, so a page can decide a status without a query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

_PARTS = re.compile(r"\d+|[a-zA-Z]+")


@dataclass(frozen=True)
class VersionInfo:
    """One published version of a module, as learners' statuses need it."""

    label: str
    material: bool
    note: str
    published_at: datetime | None


def label_key(label: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order of version labels: "1.10" comes after "1.9", "2" after "1.12"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in _PARTS.findall(label)
    )


def highest_label(labels: Iterable[str]) -> str | None:
    """The highest label in natural order, or None when there is none."""
    return max(labels, key=label_key, default=None)


def next_label(label: str | None) -> str:
    """A suggestion for the next label: the last number raised by one ("1.3" → "1.4"); "1.0" when none."""
    if not label:
        return "1.0"
    numbers = list(re.finditer(r"\d+", label))
    if not numbers:
        return f"{label}.1"
    last = numbers[-1]
    return f"{label[: last.start()]}{int(last.group()) + 1}{label[last.end() :]}"


def in_order(history: Iterable[VersionInfo]) -> list[VersionInfo]:
    """The versions oldest first (by label: labels rise with every version published)."""
    return sorted(history, key=lambda v: label_key(v.label))


def stale_labels(history: Iterable[VersionInfo]) -> frozenset[str]:
    """The labels a record should be refreshed from: any version published after it was material.

    Whatever later versions say: 1.0 → 1.1 (material) → 1.2 (not) leaves holders of 1.0
    recommended a refresher, and holders of 1.1 and 1.2 not.
    """
    versions = in_order(history)
    stale: set[str] = set()
    material_after = False
    for version in reversed(versions):
        if material_after:
            stale.add(version.label)
        material_after = material_after or version.material
    return frozenset(stale)


def changes_after(label: str, history: Iterable[VersionInfo]) -> list[VersionInfo]:
    """The versions after ``label``, oldest first: what changed since a learner's version."""
    key = label_key(label)
    return [v for v in in_order(history) if label_key(v.label) > key]
