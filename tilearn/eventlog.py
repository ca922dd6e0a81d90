"""Security events: one line each on stderr, for whatever collects the server's logs.

Every line is ``<UTC time> <level> tilearn.events event=<name> user=<id> key=value …``.
Never pass e-mail bodies, passwords, tokens, reflections, pauses or answers as fields.
"""

from __future__ import annotations

import logging
import re
import sys
import time

from flask import Flask
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger("tilearn.events")
LINE_FORMAT = "%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.,:/@+-]")
_PENDING = "tilearn.events.pending"


def _value(value: object) -> str:
    """A field value on one line with no spaces, so each event stays one parseable line."""
    if value is None:
        return "-"
    return _UNSAFE.sub("_", str(value))[:120] or "-"


def log_event(event: str, user_id: int | None = None, **fields: object) -> None:
    """Log one security event (sign-in, export, revocation …) with the person's id and safe fields."""
    parts = [f"event={_value(event)}", f"user={_value(user_id)}"]
    parts += [f"{key}={_value(value)}" for key, value in fields.items()]
    log.info(" ".join(parts))


def log_event_on_commit(event: str, user_id: int | None = None, **fields: object) -> None:
    """Log the event when the database transaction commits; if it rolls back instead, nothing is logged."""
    from tilearn.extensions import db

    db.session.info.setdefault(_PENDING, []).append((event, user_id, fields))


@sqlalchemy_event.listens_for(Session, "after_commit")
def _log_committed(session: Session) -> None:
    """The transaction that holds the actions committed: now they happened, so log them."""
    if session.in_nested_transaction():
        return
    for event, user_id, fields in session.info.pop(_PENDING, []):
        log_event(event, user_id, **fields)


@sqlalchemy_event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without committing (rollback, close) takes its events with it."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def configure_logging(app: Flask) -> None:
    """Send tilearn's log lines to stderr, once, unless something else (a test, a config) already does."""
    logger = logging.getLogger("tilearn")
    level = app.config.get("LOG_LEVEL") or "INFO"
    logger.setLevel(level.upper() if isinstance(level, str) else level)
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter(LINE_FORMAT, DATE_FORMAT)
    formatter.converter = time.gmtime  # UTC, whatever the server's time zone
    handler.setFormatter(formatter)
    logger.addHandler(handler)
