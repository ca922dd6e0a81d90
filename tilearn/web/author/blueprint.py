"""The trainers' blueprint and what its pages share."""

from __future__ import annotations

from flask import Blueprint, abort, g, request
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from flask_wtf import FlaskForm

from tilearn.engine import Module
from tilearn.models import RetiredModule
from tilearn.security import BINARY_UPLOADS
from tilearn.services import module_versions
from tilearn.web.library_state import current_library

bp = Blueprint("author", __name__, url_prefix="/author")
AUTHORS = ("trainer", "admin")
#: Uploads and saved module text are larger than any other form; only trainers get the room.
UPLOAD_LIMIT = 24 * 1024 * 1024
TEXT_LIMIT = 2 * 1024 * 1024


def _room_for_modules() -> None:
    """Let a trainer send a zip or a long module text; everyone else keeps the site-wide limit."""
    if request.blueprint != "author" or request.method != "POST":
        return
    if current_user.is_authenticated and current_user.has_role(*AUTHORS):
        request.max_content_length = UPLOAD_LIMIT if request.endpoint == "author.upload" else TEXT_LIMIT
        request.max_form_memory_size = TEXT_LIMIT
        if request.endpoint == "author.upload":
            g.setdefault(BINARY_UPLOADS, True)


@bp.record_once
def _before_forms_are_read(state: BlueprintSetupState) -> None:
    """Run _room_for_modules before anything reads the form (the CSRF and control-character checks)."""
    state.app.before_request_funcs.setdefault(None, []).insert(0, _room_for_modules)


def show_error(form: FlaskForm, error: ValueError) -> None:
    """Show a service's refusal by the field it names (or the form's first field)."""
    field = getattr(form, getattr(error, "field", "") or "-", None)
    field = field or next(f for f in form if f.type not in ("CSRFTokenField", "HiddenField"))
    field.errors = [*field.errors, str(error)]


def retired() -> dict[str, RetiredModule]:
    """Retired modules by id, each with its reason and date."""
    return {row.module_id: row for row in module_versions.retired_modules()}


def library_module(module_id: str) -> Module:
    """A module the site knows (served or left out), or 404."""
    module = current_library().all_modules.get(module_id)
    if module is None:
        abort(404)
    return module
