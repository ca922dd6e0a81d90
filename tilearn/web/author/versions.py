"""Publishing a draft, a module's version history, differences, rolling back, retiring and restoring."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tilearn.database import writing
from tilearn.services import drafts, module_versions
from tilearn.services.people import names_of
from tilearn.web.access import roles_required
from tilearn.web.author.blueprint import AUTHORS, bp, retired
from tilearn.web.author.drafts import checked
from tilearn.web.author.forms import ActionForm, ChangeForm, ReasonForm
from tilearn.web.library_state import current_library


def _known(module_id: str) -> None:
    """404 unless the site has this module: published, on disk or retired."""
    if (
        module_id not in current_library().all_modules
        and module_versions.current_version(module_id) is None
        and module_id not in retired()
    ):
        abort(404)


@bp.route("/drafts/<module_id>/publish", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def publish(module_id: str) -> ResponseReturnValue:
    """Publish a draft with a note for learners: refused while the checker finds errors."""
    draft = drafts.get_draft(module_id)
    if draft is None:
        flash(f"There is no draft of {module_id} to publish: it may have been published already.")
        return redirect(url_for("author.history", module_id=module_id))
    module = checked(draft)
    errors = [p for p in module.problems if p.is_error]
    form = ChangeForm()
    refused: list[str] = []
    if not errors and form.validate_on_submit():
        try:
            with writing():  # one action: the version is published and the draft removed, or neither
                version = module_versions.publish(
                    current_user.id,
                    module_id,
                    draft.markdown,
                    drafts.draft_files(module_id),
                    (form.note.data or "").strip(),
                    form.material.data == "yes",
                )
                drafts.discard(current_user.id, module_id, why="published")
        except module_versions.PublishRefused as refusal:
            refused = list(refusal.messages)
        else:
            flash(
                f"Version {version.version} of {module.title} is published. "
                "Learners see it within a few seconds.",
                "success",
            )
            return redirect(url_for("author.history", module_id=module_id))
    current = module_versions.current_version(module_id)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "author/publish.html",
        draft=draft,
        module=module,
        errors=errors,
        refused=refused,
        form=form,
        current=current,
        action=url_for("author.publish", module_id=module_id),
    ), status


@bp.get("/modules/<module_id>/history")
@roles_required(*AUTHORS)
def history(module_id: str) -> str:
    """Every published version of a module, newest first, and what can be done with them."""
    _known(module_id)
    versions = module_versions.history(module_id)
    names = names_of(v.published_by_id for v in versions if v.published_by_id)
    module = current_library().all_modules.get(module_id)
    return render_template(
        "author/history.html",
        module_id=module_id,
        title=module.title if module else module_id,
        module=module,
        versions=versions,
        names=names,
        draft=drafts.get_draft(module_id),
        retired=retired().get(module_id),
        form=ActionForm(),
    )


def _version(module_id: str, version_id: int) -> module_versions.ModuleVersion:
    version = module_versions.get_version(module_id, version_id)
    if version is None:
        abort(404)
    return version


@bp.get("/modules/<module_id>/versions/<int:version_id>")
@roles_required(*AUTHORS)
def version(module_id: str, version_id: int) -> str:
    """The text of one published version, exactly as it was published."""
    shown = _version(module_id, version_id)
    names = names_of([shown.published_by_id] if shown.published_by_id else [])
    return render_template(
        "author/version.html",
        version=shown,
        module_id=module_id,
        name=names.get(shown.published_by_id or 0),
        lines=(shown.markdown or "").split("\n"),
        files=sorted(module_versions.version_files(shown.id)),
    )


@bp.get("/modules/<module_id>/differences")
@roles_required(*AUTHORS)
def differences(module_id: str) -> str:
    """The lines added and removed between two versions a trainer chose."""
    _known(module_id)
    versions = module_versions.history(module_id)
    by_id = {v.id: v for v in versions}
    old = by_id.get(request.args.get("old", type=int) or 0)
    new = by_id.get(request.args.get("new", type=int) or 0)
    if old is None and new is None and len(versions) >= 2:
        new, old = versions[0], versions[1]
    lines = None
    if old and new and old.markdown is not None and new.markdown is not None:
        lines = module_versions.diff_lines(old.markdown, new.markdown)
    return render_template(
        "author/differences.html",
        module_id=module_id,
        versions=versions,
        old=old,
        new=new,
        lines=lines,
        asked=bool(request.args),
    )


@bp.route("/modules/<module_id>/versions/<int:version_id>/roll-back", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def rollback(module_id: str, version_id: int) -> ResponseReturnValue:
    """Publish an older version's text again, as a new version with its own note."""
    older = _version(module_id, version_id)
    current = module_versions.current_version(module_id)
    form = ChangeForm()
    if request.method == "GET":
        form.note.data = f"We have gone back to the text of version {older.version}."
        form.current.data = str(current.id) if current else ""
    refused: list[str] = []
    if form.validate_on_submit():
        if form.current.data != (str(current.id) if current else ""):
            flash(
                "Nothing was published: the module has changed since you opened that page. Check the history."
            )
            return redirect(url_for("author.history", module_id=module_id))
        try:
            made = module_versions.rollback(
                current_user.id,
                module_id,
                older.id,
                (form.note.data or "").strip(),
                form.material.data == "yes",
            )
        except module_versions.PublishRefused as refusal:
            refused = list(refusal.messages)
        else:
            flash(
                f"Version {made.version} is published, with the text of version {older.version}.", "success"
            )
            return redirect(url_for("author.history", module_id=module_id))
    return render_template(
        "author/rollback.html",
        older=older,
        current=current,
        form=form,
        refused=refused,
        module_id=module_id,
        label=module_versions.next_label(module_id),
    ), (400 if request.method == "POST" else 200)


@bp.route("/modules/<module_id>/retire", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def retire(module_id: str) -> ResponseReturnValue:
    """Retire a module with a reason, after a check: new learners no longer see it; records stay."""
    _known(module_id)
    if module_id in retired():
        flash(f"{module_id} is retired already.")
        return redirect(url_for("author.history", module_id=module_id))
    form = ReasonForm()
    if form.validate_on_submit():
        if form.confirmed.data == "yes":
            module_versions.retire(current_user.id, module_id, (form.reason.data or "").strip())
            flash(
                f"{module_id} is retired. Learners' records of it are kept and can still be checked.",
                "success",
            )
            return redirect(url_for("author.history", module_id=module_id))
        return render_template("author/retire_confirm.html", form=form, module_id=module_id)
    status = 400 if request.method == "POST" else 200
    return render_template("author/retire.html", form=form, module_id=module_id), status


@bp.route("/modules/<module_id>/restore", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def restore(module_id: str) -> ResponseReturnValue:
    """Bring a retired module back for learners, after a check."""
    _known(module_id)
    row = retired().get(module_id)
    form = ActionForm()
    if row is None:
        flash(f"{module_id} is not retired.")
        return redirect(url_for("author.history", module_id=module_id))
    if form.validate_on_submit():
        module_versions.restore(current_user.id, module_id)
        flash(f"{module_id} is back: learners can find it again.", "success")
        return redirect(url_for("author.history", module_id=module_id))
    return render_template("author/restore.html", form=form, module_id=module_id, row=row)
