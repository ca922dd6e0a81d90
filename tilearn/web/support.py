"""Pause and grounding, the glossary, and the health check."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import text

from tilearn.database import commit_now, writing
from tilearn.engine.banks import fingerprints
from tilearn.errors import OUTAGE, database_unavailable
from tilearn.extensions import db
from tilearn.services import grounding as grounding_visits
from tilearn.services import progress
from tilearn.services.organisation import current_settings, last_known_settings
from tilearn.web.learn import answers_from_form
from tilearn.web.library_state import current_library

bp = Blueprint("support", __name__)
log = logging.getLogger("tilearn.support")


@bp.post("/pause")
@login_required
def pause() -> ResponseReturnValue:
    """Save the learner's place (and unchecked answers) and open the grounding page."""
    module_id = request.form.get("module_id") or None
    section_id = request.form.get("section_id") or None
    draft = questions = None
    if module_id is not None:
        module = current_library().get(module_id)
        if module is None:
            abort(404)
        if section_id is not None:
            section = module.section(section_id)
            if section is None:
                abort(404)
            draft = answers_from_form(section) if section.questions else None
            questions = fingerprints(section.questions)
    progress.take_pause(current_user.id, module_id, section_id, draft, questions)
    return redirect(url_for("support.grounding", module=module_id, section=section_id))


@bp.get("/grounding")
def grounding() -> str:
    """Breathing, a 5-4-3-2-1 senses exercise, support contacts, and the way back.

    It works while the database is down: then it shows the last-known support contacts. A signed-in
    learner's visit is recorded privately, with the module and section they came from (?module=,
    ?section=, checked against the library), for trainers' insight.
    """
    try:
        back = _way_back()
        contacts = current_settings().support_contacts
    except OUTAGE:
        database_unavailable()
        back, contacts = None, last_known_settings().support_contacts
    else:
        _note_visit()
    return render_template("support/grounding.html", back=back, contacts=contacts)


def _note_visit() -> None:
    """Record a signed-in visit; whatever goes wrong with that, the page still shows."""
    if not current_user.is_authenticated:
        return
    module = current_library().get(request.args.get("module", ""))
    section = module.section(request.args.get("section", "")) if module else None
    try:
        with writing():
            grounding_visits.note_visit(
                current_user.id, module.id if module else None, section.id if section else None
            )
            # Committed here, not at the end of the request: a failed commit then costs only the
            # record, never the page (the end-of-request commit would replace it with an error).
            commit_now()
    except Exception as error:  # noqa: BLE001 - self-care comes before the count
        # Only the kind of error: its text could hold the learner's id, and visits are never logged.
        log.warning("a grounding page visit was not recorded (%s)", type(error).__name__)


def _way_back() -> dict[str, Any] | None:
    """Where the signed-in learner paused, if anywhere."""
    if not current_user.is_authenticated:
        return None
    last = progress.last_pause(current_user.id)
    module = current_library().get(last.module_id) if last and last.module_id else None
    if last is None or module is None:
        return None
    section = module.section(last.section_id or "")
    if section is not None:
        url = url_for("learn.section", module_id=module.id, section_id=section.id, note="continue")
        return {"url": url, "title": section.title, "questions": bool(section.questions)}
    return {
        "url": url_for("learn.module", module_id=module.id),
        "title": module.title,
        "questions": False,
    }


@bp.get("/glossary")
def glossary() -> str:
    """The shared glossary of terms."""
    return render_template("support/glossary.html", glossary=current_library().glossary)


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    """For load balancers: 200 when the app has its library and can reach the database, else 503."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except OUTAGE:
        database_unavailable()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok", "modules": len(current_library().modules)}
