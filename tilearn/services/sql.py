"""Portable insert-or-ignore and upsert for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from tilearn.extensions import Model, db


def _insert(model: type[Model]) -> Any:
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


def insert_ignore(model: type[Model], **values: Any) -> bool:
    """Insert a row unless its key exists already; True when a row was added."""
    # RETURNING tells portably whether the row went in; rowcount is not reliable for
    # INSERT … ON CONFLICT DO NOTHING on every driver.
    key = list(model.__table__.primary_key)[:1]
    statement = _insert(model).values(**values).on_conflict_do_nothing().returning(*key)
    return db.session.execute(statement).first() is not None


def upsert(model: type[Model], keys: tuple[str, ...], **values: Any) -> None:
    """Insert a row, or update the non-key columns of the row with the same key."""
    statement = _insert(model).values(**values)
    updates = {name: statement.excluded[name] for name in values if name not in keys}
    db.session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=updates))


def insert_for(model: type[Model]) -> Any:
    """An INSERT for the session's database that supports ON CONFLICT and RETURNING."""
    return _insert(model)
