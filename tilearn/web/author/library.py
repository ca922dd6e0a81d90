"""The workspace's front page, and the preview of a module the site already serves."""

from __future__ import annotations

from flask import render_template

from tilearn.services import drafts
from tilearn.services.organisation import current_scheme
from tilearn.services.people import names_of
from tilearn.web.access import roles_required
from tilearn.web.author.blueprint import AUTHORS, bp, library_module, retired
from tilearn.web.library_state import current_library


@bp.get("/")
@roles_required(*AUTHORS)
def index() -> str:
    """Drafts, every module with its state, and the checker's messages for modules on disk."""
    library = current_library()
    waiting = drafts.all_drafts()
    names = names_of(d.updated_by_id for d in waiting if d.updated_by_id)
    return render_template(
        "author/index.html",
        library=library,
        drafts=waiting,
        names=names,
        retired=retired(),
        scheme=current_scheme(),
    )


@bp.get("/<module_id>")
@roles_required(*AUTHORS)
def preview(module_id: str) -> str:
    """A published module as learners see it, with right answers and feedback shown."""
    library = current_library()
    module = library_module(module_id)
    return render_template(
        "author/preview.html",
        module=module,
        level=library.level_of(module),
        served=module_id in library.modules,
    )
