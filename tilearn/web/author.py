"""Trainers: every module with its checker messages, and a preview with answers shown."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from tilearn.web.access import roles_required
from tilearn.web.library_state import current_library

bp = Blueprint("author", __name__, url_prefix="/author")


@bp.get("/")
@roles_required("trainer", "admin")
def index() -> str:
    """All modules, including ones left out, with the problems the checker found."""
    library = current_library()
    return render_template("author/index.html", library=library)


@bp.get("/<module_id>")
@roles_required("trainer", "admin")
def preview(module_id: str) -> str:
    """A module as learners see it, with right answers and feedback shown."""
    library = current_library()
    module = library.all_modules.get(module_id)
    if module is None:
        abort(404)
    return render_template(
        "author/preview.html",
        module=module,
        level=library.level_of(module),
        served=module_id in library.modules,
    )
