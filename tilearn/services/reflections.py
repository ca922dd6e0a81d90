"""Reflections: private writing, never scored, editable and deletable by the learner only."""

from __future__ import annotations

from sqlalchemy import delete, select

from tilearn.database import writes
from tilearn.extensions import db
from tilearn.models import ReflectionEntry
from tilearn.models.types import utcnow
from tilearn.services.sql import upsert

MAX_REFLECTION_CHARS = 20_000
TOO_LONG = (
    f"Your reflection can be {MAX_REFLECTION_CHARS:,} characters or fewer. "
    "It has not been saved yet: shorten it and save again."
)


class ReflectionTooLong(ValueError):
    """The text is over the limit; nothing was saved, and nothing is ever cut short."""


@writes
def save_reflection(user_id: int, module_id: str, reflection_id: str, text: str) -> None:
    """Save (or replace) what the learner wrote; empty text deletes it; over-long text is refused."""
    text = text.strip()
    if len(text) > MAX_REFLECTION_CHARS:
        raise ReflectionTooLong(TOO_LONG)
    if not text:
        delete_reflection(user_id, module_id, reflection_id)
        return
    upsert(
        ReflectionEntry,
        ("user_id", "module_id", "reflection_id"),
        user_id=user_id,
        module_id=module_id,
        reflection_id=reflection_id,
        text=text,
        updated_at=utcnow(),
    )


@writes
def delete_reflection(user_id: int, module_id: str, reflection_id: str) -> None:
    """Remove what the learner wrote for one prompt."""
    db.session.execute(
        delete(ReflectionEntry).where(
            ReflectionEntry.user_id == user_id,
            ReflectionEntry.module_id == module_id,
            ReflectionEntry.reflection_id == reflection_id,
        )
    )


def reflections_for(user_id: int, module_id: str) -> dict[str, str]:
    """The learner's own reflections in a module, by prompt id."""
    rows = db.session.scalars(
        select(ReflectionEntry).where(
            ReflectionEntry.user_id == user_id, ReflectionEntry.module_id == module_id
        )
    )
    return {row.reflection_id: row.text for row in rows}
