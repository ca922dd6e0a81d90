"""Database set-up: SQLite pragmas and write transactions that wait instead of failing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import Connection, event
from sqlalchemy.pool import ConnectionPoolEntry

from tilearn.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_reading = ContextVar("reading", default=False)


def _needs_write_lock() -> bool:
    """Writes happen only outside GET/HEAD, so only those transactions take SQLite's write lock."""
    if _reading.get():
        return False
    return not (has_request_context() and request.method in SAFE_METHODS)


@contextmanager
def reading() -> Iterator[None]:
    """Reads before a request's writes: a plain BEGIN on SQLite, ended on the way out.

    Without it, a POST's first read (loading the signed-in user) would take SQLite's write
    lock and hold it through the whole request, so two workers would take turns. A
    transaction already open is joined and left open. What was loaded stays loaded (no
    reload after the commit), so the writes that follow start their own transaction.
    """
    if not _needs_write_lock():  # a GET's transactions never take the lock: nothing to do
        yield
        return
    session = db.session()
    began = not session.in_transaction()
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)
    if began and session.in_transaction():
        keep, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()  # writes nothing: it only ends the read transaction
        finally:
            session.expire_on_commit = keep


def init_app(app: Flask) -> None:
    """Bind Flask-SQLAlchemy and, on SQLite, use WAL with BEGIN IMMEDIATE for writes.

    A deferred SQLite transaction that reads and then writes can be refused at once
    with "database is locked" when another writer got in first; BEGIN IMMEDIATE
    takes the write lock up front and waits (busy_timeout) instead.
    """
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(
        dbapi_connection: Any, _record: ConnectionPoolEntry
    ) -> None:  # pragma: no cover - exercised by every test
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _needs_write_lock() else "BEGIN")
