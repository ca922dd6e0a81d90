"""Database set-up and the unit of work: services flush, the request (or CLI command) commits.

The rule: a service function never commits. It adds and flushes inside ``writing()`` (or under
``@writes``). The request commits once, after the view has returned a response below 400, and
before the response is sent, so a redirect after a POST is never sent for work that did not
commit; a commit that fails gives an error page. Any exception inside ``writing()`` rolls back
everything the request did, so an action that fails half-way leaves nothing behind. A command
line tool wraps its work in ``unit_of_work()``. A ``writing()`` block outside any unit of work
(a test, a shell) is a unit of its own and commits when it ends.

The few commits made part-way on purpose go through ``commit_now()``, and each says why.

On SQLite a transaction that will write begins with BEGIN IMMEDIATE, which waits for the write
lock (busy_timeout) instead of failing with "database is locked" when it upgrades; every other
transaction (the user loader, GET pages, the completion check) is a plain BEGIN. What decides
it is ``writing()``, never the HTTP method.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from flask import Flask, g, has_request_context
from flask.wrappers import Response
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

from tilearn.extensions import db

log = logging.getLogger("tilearn.database")
F = TypeVar("F", bound=Callable[..., Any])
_writing = ContextVar("tilearn_writing", default=False)
_unit = ContextVar("tilearn_unit_of_work", default=False)
#: in g while a request is being handled: the request is the unit of work
_REQUEST_UNIT = "_tilearn_unit_of_work"
#: in session.info while its transaction holds SQLite's write lock (began IMMEDIATE)
_LOCKED = "tilearn.write_lock"
#: in session.info: what to do once the transaction commits
_AFTER_COMMIT = "tilearn.after_commit"


def _needs_write_lock() -> bool:
    """Whether a transaction beginning now will write, so takes SQLite's write lock up front."""
    return _writing.get()


def _in_unit_of_work() -> bool:
    return _unit.get() or (has_request_context() and bool(g.get(_REQUEST_UNIT)))


def _commit(session: Session, expire: bool = True) -> None:
    keep, session.expire_on_commit = session.expire_on_commit, expire and session.expire_on_commit
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def _end_read_transaction(session: Session) -> None:
    """On SQLite, end an open transaction that began without the write lock (it only read)."""
    if session.in_transaction() and session.info.get(_LOCKED) is False:
        _commit(session, expire=False)  # writes nothing: what was loaded stays loaded


@contextmanager
def writing() -> Iterator[None]:
    """The block writes: its transaction takes SQLite's write lock; an exception rolls back everything.

    A read transaction already open (the user loader's) is ended first. Inside a unit of work
    (a request, a command) nothing is committed here; outside one, the block commits at its end.
    """
    if _writing.get():
        yield
        return
    session = db.session()
    _end_read_transaction(session)
    own_unit = not _in_unit_of_work()
    token = _writing.set(True)
    try:
        yield
        if own_unit:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _writing.reset(token)


def writes(function: F) -> F:
    """Run a service function inside ``writing()``."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with writing():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One transaction for everything inside: committed once at the end, or rolled back entirely.

    For command line tools and tests; a request is a unit of work already, and one inside it joins it.
    """
    if _in_unit_of_work():
        with writing():
            yield
        return
    session = db.session()
    token = _unit.set(True)
    try:
        with writing():
            yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _unit.reset(token)


@contextmanager
def writing_connection() -> Iterator[Connection]:
    """A connection of its own, outside any request's transaction, that writes and commits at the end.

    On SQLite its transaction takes the write lock up front, like ``writing()``. For the library's
    own bookkeeping while it is built (which may happen inside a request that must not write).
    """
    token = _writing.set(True)
    try:
        with db.engine.begin() as connection:
            yield connection
    finally:
        _writing.reset(token)


def commit_now() -> None:
    """Commit what the unit of work has done so far, on purpose; every call says why.

    What was loaded stays loaded. The work that follows begins a new transaction.
    """
    _commit(db.session(), expire=False)


def after_commit(function: Callable[[], object]) -> None:
    """Call ``function`` (which must not use the database) once the transaction commits; never if not."""
    db.session().info.setdefault(_AFTER_COMMIT, []).append(function)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if not session.in_nested_transaction():
        for function in session.info.pop(_AFTER_COMMIT, []):
            function()


def end_request_unit(app: Flask) -> None:
    """Make each request one unit of work: commit after a successful view, else roll back.

    Registered after every other after_request function, so it runs first: the commit happens
    before any of them, and an error page that replaces the response still gets their headers.
    """

    def _open() -> None:
        g.setdefault(_REQUEST_UNIT, True)

    app.before_request_funcs.setdefault(None, []).insert(0, _open)  # before anything that could write

    @app.after_request
    def _commit_or_roll_back(response: Response) -> Response:
        session = db.session()
        if response.status_code >= 400:
            session.rollback()
            return response
        try:
            _commit(session, expire=False)  # the request is over: nothing needs reloading
        except Exception as error:  # noqa: BLE001 - never acknowledge work that did not commit
            log.warning("commit failed at the end of a request: %s", (str(error).splitlines() or ["?"])[0])
            session.rollback()
            return app.make_response(app.handle_user_exception(error))
        return response

    @app.teardown_request
    def _close(_error: BaseException | None) -> None:
        g.pop(_REQUEST_UNIT, None)


def init_app(app: Flask) -> None:
    """Bind Flask-SQLAlchemy and, on SQLite, use WAL with BEGIN IMMEDIATE for transactions that write.

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
        locked = _needs_write_lock()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if locked else "BEGIN")
        connection.info[_LOCKED] = locked


@event.listens_for(Session, "after_begin")
def _note_lock(session: Session, _transaction: Any, connection: Connection) -> None:
    """Note whether the session's transaction holds SQLite's write lock (only SQLite notes it)."""
    if _LOCKED in connection.info:
        session.info[_LOCKED] = connection.info[_LOCKED]


@event.listens_for(Session, "after_transaction_end")
def _forget_lock(session: Session, transaction: Any) -> None:
    """The transaction ended: whether it held the write lock, and what was to follow it, no longer matter."""
    if transaction.parent is None:
        session.info.pop(_LOCKED, None)
        session.info.pop(_AFTER_COMMIT, None)  # rolled back: what was to follow a commit never will
