"""Portable insert-or-ignore and upsert for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite

from tilearn.extensions import Model, db

T = TypeVar("T")


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


def built_once(cache: dict[Any, T], build: Callable[[], T], *key: Hashable) -> T:
    """What ``build`` makes for the session's kind of database (and ``key``), built the first time only.

    Building a complex statement costs more than running it; the statement itself depends only on
    the dialect (ON CONFLICT, date arithmetic) and on what ``key`` names.
    """
    full = (db.session.get_bind().dialect.name, *key)
    if full not in cache:
        cache[full] = build()
    return cache[full]
