"""Experiments only, never deployed: tilearn with one change each to size a fix (`--app 'variants:…()'`)."""

# They patch tilearn's internals at start-up, so they may stop working when the app changes;
# docs/benchmarks.md records what each one measured.

from __future__ import annotations

import contextvars

from flask import Flask, has_request_context, request

from tilearn import create_app

_writing = contextvars.ContextVar("writing", default=False)


def writes_app() -> Flask:
    """POST …/done takes SQLite's write lock only for its writes, and the user is not reloaded after them."""
    import tilearn.database as database
    from tilearn.extensions import db
    from tilearn.services import progress

    default, record = database._needs_write_lock, progress.record_section_seen

    def needs_write_lock() -> bool:
        if has_request_context() and request.endpoint == "learn.section_done":
            return _writing.get()  # reads in a plain BEGIN, the writes alone in BEGIN IMMEDIATE
        return default()

    def record_section_seen(*args, **kwargs):
        db.session.commit()  # end the user loader's read transaction
        token = _writing.set(True)
        try:
            return record(*args, **kwargs)
        finally:
            _writing.reset(token)

    database._needs_write_lock = needs_write_lock
    progress.record_section_seen = record_section_seen
    app = create_app()
    db.session.session_factory.kw["expire_on_commit"] = False
    return app


def page_app() -> Flask:
    """Roles not loaded with the user, and the session cookie not re-sent on every response."""
    from sqlalchemy import select
    from sqlalchemy.orm import lazyload

    from tilearn.extensions import db, login_manager
    from tilearn.models import User, UserSession
    from tilearn.models.types import utcnow
    from tilearn.services.accounts import _hash_token

    def load_session(token: str):
        row = db.session.execute(
            select(User, UserSession.expires_at)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == _hash_token(token))
            .options(lazyload(User.role_rows))
        ).first()
        if row is None or row.expires_at < utcnow() or not row.User.is_active:
            return None
        row.User.session_token = token
        return row.User

    app = create_app()
    login_manager.user_loader(load_session)
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    return app


def page_nodb_app() -> Flask:
    """Every database read of the section page answered from memory: the ceiling if reads cost nothing."""
    from tilearn.extensions import login_manager
    from tilearn.services import organisation, progress, quizzes, reflections

    def remembered(function):
        cache: dict = {}

        def wrapper(*args):
            key = tuple(getattr(a, "id", a) for a in args)
            if key not in cache:
                cache[key] = function(*args)
            return cache[key]

        return wrapper

    for module, name in [
        (organisation, "current_settings"),
        (progress, "module_state"),
        (quizzes, "latest_answers"),
        (progress, "load_draft"),
        (reflections, "reflections_for"),
    ]:
        setattr(module, name, remembered(getattr(module, name)))
    app = create_app()
    login_manager.user_loader(remembered(login_manager._user_callback))
    return app
