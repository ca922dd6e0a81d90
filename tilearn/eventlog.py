"""Security events: one line each on stderr, for whatever collects the server's logs.

Every line is ``<time> <level> tilearn.events event=<name> user=<id> key=value …``.
Never pass e-mail bodies, passwords, tokens, reflections, pauses or answers as fields.
"""

from __future__ import annotations

import logging
import re
import sys

from flask import Flask

log = logging.getLogger("tilearn.events")
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/@+-]")


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


def configure_logging(app: Flask) -> None:
    """Send tilearn's log lines to stderr, once, unless something else (a test, a config) already does."""
    logger = logging.getLogger("tilearn")
    logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LINE_FORMAT))
    logger.addHandler(handler)
