"""Choosing quality training: trainers and admins answer the checklist for a module or a training offer.

A module's checklists are kept with the version they were answered for, beside its version history.
Each checklist downloads as CSV or PDF, and all of them as one CSV; downloads are audited.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tilearn.engine.checklist import ANSWERS, Checklist
from tilearn.models import TrainingChecklist
from tilearn.models.types import utcnow
from tilearn.services import module_versions
from tilearn.services import training_checklists as checklists
from tilearn.services.audit import record_view
from tilearn.services.organisation import current_scheme, current_settings
from tilearn.web.access import roles_required
from tilearn.web.library_state import current_library

bp = Blueprint("checklists", __name__, url_prefix="/training-checklists")


def _checklist() -> Checklist:
    checklist = current_scheme().training_checklist
    if checklist is None:
        abort(404)
    return checklist


@bp.get("/")
@roles_required("trainer", "admin")
def index() -> str:
    """The modules, how many checklists each has, and the training offers checked."""
    modules = sorted(current_library().all_modules.values(), key=lambda m: m.title.casefold())
    return render_template(
        "checklists/index.html",
        modules=modules,
        counts=checklists.counts_by_module(),
        offers=checklists.offers(),
        checklist=current_scheme().training_checklist,
    )


def _form(
    about: str, checklist: Checklist, problems: dict[str, str] | None = None, ask_offer: bool = False
) -> ResponseReturnValue:
    return render_template(
        "checklists/form.html",
        about=about,
        checklist=checklist,
        answers=ANSWERS,
        form=request.form,
        problems=problems or {},
        ask_offer=ask_offer,
    ), (400 if problems else 200)


@bp.route("/modules/<module_id>/new", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def check_module(module_id: str) -> ResponseReturnValue:
    """Answer the checklist for a module's current version."""
    module = current_library().all_modules.get(module_id)
    if module is None:
        abort(404)
    checklist = _checklist()
    about = f"{module.title}, version {module.version}"
    if request.method == "GET":
        return _form(about, checklist)
    try:
        kept = checklists.record_checklist(
            current_user.id, checklist, request.form, module=(module.id, module.version)
        )
    except checklists.FormProblems as bad:
        return _form(about, checklist, bad.problems)
    flash("Checklist saved", "success")
    return redirect(url_for("checklists.show", checklist_id=kept.id))


@bp.get("/modules/<module_id>")
@roles_required("trainer", "admin")
def module_history(module_id: str) -> str:
    """A module's checklists beside its versions, newest first."""
    module = current_library().all_modules.get(module_id)
    if module is None:
        abort(404)
    versions = {v.version: v for v in module_versions.history(module_id)}
    return render_template(
        "checklists/module.html", module=module, rows=checklists.for_module(module_id), versions=versions
    )


@bp.route("/offers/new", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def check_offer() -> ResponseReturnValue:
    """Answer the checklist for a training offer that is not a module here (a course, a provider)."""
    checklist = _checklist()
    if request.method == "GET":
        return _form("a training offer", checklist, ask_offer=True)
    try:
        offer = checklists.clean_offer(request.form.get("offer", ""))
        kept = checklists.record_checklist(current_user.id, checklist, request.form, offer=offer)
    except checklists.FormProblems as bad:
        return _form("a training offer", checklist, bad.problems, ask_offer=True)
    flash("Checklist saved", "success")
    return redirect(url_for("checklists.show", checklist_id=kept.id))


def _kept(checklist_id: int) -> TrainingChecklist:
    kept = checklists.get(checklist_id)
    if kept is None:
        abort(404)
    return kept


@bp.get("/<int:checklist_id>")
@roles_required("trainer", "admin")
def show(checklist_id: int) -> str:
    """One checklist: the questions, the answers and the notes."""
    kept = _kept(checklist_id)
    return render_template("checklists/show.html", page=checklists.page(kept), answers=ANSWERS)


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _export_one(
    checklist_id: int, extension: str, mimetype: str, build: Callable[[checklists.ChecklistPage], str | bytes]
) -> Response:
    """One checklist as a dated download, built by build from its page; the download is audited."""
    kept = _kept(checklist_id)
    record_view(
        current_user.id,
        "training_checklist.exported",
        checklists.subject(kept),
        f"checklist:{kept.id}; {extension}",
    )
    filename = f"training-checklist-{kept.id}-{kept.created_at:%Y-%m-%d}.{extension}"
    return _download(build(checklists.page(kept)), mimetype, filename)


@bp.get("/<int:checklist_id>.csv")
@roles_required("trainer", "admin")
def export_csv(checklist_id: int) -> Response:
    """One checklist as CSV; audited."""
    from tilearn.services.checklist_export import checklists_csv

    return _export_one(checklist_id, "csv", "text/csv", lambda page: checklists_csv([page]))


@bp.get("/<int:checklist_id>.pdf")
@roles_required("trainer", "admin")
def export_pdf(checklist_id: int) -> Response:
    """One checklist as a PDF; audited."""
    from tilearn.services.checklist_export import checklist_pdf

    return _export_one(
        checklist_id, "pdf", "application/pdf", lambda page: checklist_pdf(page, current_settings().name)
    )


@bp.get("/all.csv")
@roles_required("trainer", "admin")
def export_all_csv() -> Response:
    """Every checklist as one CSV, a row per checklist and question; audited."""
    from tilearn.services.checklist_export import checklists_csv

    pages = checklists.all_pages()
    record_view(
        current_user.id, "training_checklist.exported", "checklists:all", f"{len(pages)} checklists; csv"
    )
    return _download(checklists_csv(pages), "text/csv", f"training-checklists-{utcnow():%Y-%m-%d}.csv")
