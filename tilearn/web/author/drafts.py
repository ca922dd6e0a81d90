"""Drafts: start from the template, upload, edit with the checker's messages, preview, discard."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is 3.2

from tilearn.engine import Module, Section
from tilearn.engine.assets import ASSET_TYPES, asset_type
from tilearn.models.drafts import ModuleDraft
from tilearn.services import drafts, quizzes
from tilearn.services.module_versions import check_module, current_version, version_files
from tilearn.services.organisation import current_scheme
from tilearn.web.access import roles_required
from tilearn.web.author.blueprint import AUTHORS, bp, show_error
from tilearn.web.author.forms import ActionForm, EditForm, NewDraftForm, UploadForm
from tilearn.web.library_state import current_library


def _draft(module_id: str) -> ModuleDraft:
    draft = drafts.get_draft(module_id)
    if draft is None:
        abort(404)
    return draft


def checked(draft: ModuleDraft) -> Module:
    """The draft parsed and checked against the running library, as it would be published."""
    return check_module(draft.module_id, draft.markdown, drafts.draft_files(draft.module_id))


def _taken() -> set[str]:
    return set(current_library().all_modules)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def new_draft() -> ResponseReturnValue:
    """Start a module from the template, with its id, title and level."""
    form = NewDraftForm()
    form.level.choices = [SelectChoice(lv.module_levels[0], lv.name) for lv in current_scheme().levels]
    if form.validate_on_submit():
        try:
            draft = drafts.start_from_template(
                current_user.id, form.module_id.data or "", form.title.data or "", form.level.data, _taken()
            )
        except drafts.DraftRefused as error:
            show_error(form, error)
        else:
            flash("Your draft has been started from the template. Nobody else can see it yet.", "success")
            return redirect(url_for("author.draft", module_id=draft.module_id))
    return render_template("author/new.html", form=form)


@bp.route("/upload", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def upload() -> ResponseReturnValue:
    """Start a draft from a module file, or a zip of its folder with its images."""
    form = UploadForm()
    if form.validate_on_submit():
        sent = request.files.get("file")
        try:
            if sent is None or not sent.filename:
                raise drafts.DraftRefused("Choose a .md file or a .zip of the module's folder", "file")
            found = drafts.read_upload(sent.filename, sent.read())
            published = current_version(found.module_id)
            on_disk = current_library().all_modules.get(found.module_id)
            based_on = published.version if published else (on_disk.version if on_disk else None)
            drafts.start_from_upload(current_user.id, found, based_on)
        except drafts.DraftRefused as error:
            show_error(form, error)
        else:
            flash(f"{sent.filename} has been uploaded as a draft. Nobody else can see it yet.", "success")
            return redirect(url_for("author.draft", module_id=found.module_id))
    return render_template("author/upload.html", form=form), 400 if form.errors else 200


@bp.get("/drafts/<module_id>")
@roles_required(*AUTHORS)
def draft(module_id: str) -> ResponseReturnValue:
    """The editor: the draft's text with line numbers, and the checker's messages by line."""
    draft = _draft(module_id)
    return _editor(draft, EditForm(data={"markdown": draft.markdown}), checked(draft))


def _editor(draft: ModuleDraft, form: EditForm, module: Module, status: int = 200) -> ResponseReturnValue:
    text = form.markdown.data or ""
    lines = text.count("\n") + 1
    problems = sorted(module.problems, key=lambda p: (p.line, not p.is_error))
    page = render_template(
        "author/draft.html",
        draft=draft,
        form=form,
        module=module,
        problems=problems,
        errors=[p for p in problems if p.is_error],
        lines=lines,
        marked={p.line for p in problems},
        files=sorted(drafts.draft_files(draft.module_id)),
        in_library=draft.module_id in current_library().all_modules,
    )
    return page, status


@bp.post("/drafts/<module_id>")
@roles_required(*AUTHORS)
def save_draft(module_id: str) -> ResponseReturnValue:
    """Save the text, check it, and show the editor again (or the preview when asked)."""
    draft = _draft(module_id)
    form = EditForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        drafts.save_text(current_user.id, draft.module_id, form.markdown.data or "")
    except drafts.DraftRefused as error:
        form.markdown.errors = [str(error)]
        return _editor(draft, form, checked(draft), 400)
    if request.form.get("then") == "preview":
        return redirect(url_for("author.draft_preview", module_id=module_id))
    problems = checked(draft).problems
    errors = sum(p.is_error for p in problems)
    flash(
        f"Saved. The checker found {_count(errors, 'error')} and {_count(len(problems) - errors, 'warning')}."
    )
    return redirect(url_for("author.draft", module_id=module_id) + "#messages")


def _count(number: int, word: str) -> str:
    return f"{'no' if number == 0 else number} {word}{'' if number == 1 else 's'}"


@bp.route("/drafts/<module_id>/discard", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def discard_draft(module_id: str) -> ResponseReturnValue:
    """Check, then throw a draft away (the published module, if any, is not touched)."""
    form = ActionForm()
    if form.validate_on_submit():
        if drafts.discard(current_user.id, module_id):
            flash(f"The draft of {module_id} has been discarded.", "success")
        return redirect(url_for("author.index"))
    return render_template("author/discard.html", draft=_draft(module_id), form=form)


# Preview: the learner's own templates, with the draft's links and files


@bp.get("/drafts/<module_id>/preview")
@roles_required(*AUTHORS)
def draft_preview(module_id: str) -> str:
    """The module's overview page as learners will see it."""
    draft = _draft(module_id)
    module = checked(draft)
    return render_template(
        "author/preview_module.html",
        draft=draft,
        module=module,
        answers=_answers_shown(),
        level=current_library().level_of(module, current_scheme()),
        scheme=current_scheme(),
        errors=[p for p in module.problems if p.is_error],
    )


@bp.route("/drafts/<module_id>/preview/<section_id>", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def draft_preview_section(module_id: str, section_id: str) -> ResponseReturnValue:
    """One section as learners will see it; "Check my answers" marks answers here without saving them."""
    draft = _draft(module_id)
    module = checked(draft)
    section = module.section(section_id)
    if section is None:
        abort(404)
    shown = _answers_shown()
    tried: dict[str, list[int]] | None = None
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        if request.form.get("choice"):
            return _note_choice(module, section, request.form["choice"])
        if section.questions and request.form.get("attempt_key"):
            tried = quizzes.clean_answers(section, request.form.to_dict(flat=False))
        else:
            flash("This is a preview: nothing you do here is saved.")
            return redirect(request.full_path.rstrip("?"))
    elif section.note and not shown and request.args.get("note") != "continue":
        return _note_page(draft, module, section)
    body = render_template(
        "author/_preview_section.html",
        module=module,
        section=section,
        preview=shown,
        checked_answers=tried or {},
        has_checked=tried is not None,
        reflections={},
        unsaved={},
        reflection_error=None,
    )
    index = module.section_index(section.id)
    return render_template(
        "author/preview_section.html",
        draft=draft,
        module=module,
        section=section,
        index=index,
        answers=shown,
        errors=[p for p in module.problems if p.is_error],
        previous_id=module.sections[index - 1].id if index > 0 else None,
        next_id=module.sections[index + 1].id if index + 1 < len(module.sections) else None,
        body=as_draft(body, module.id, shown),
    )


def _note_page(draft: ModuleDraft, module: Module, section: Section) -> str:
    """The learners' own page before a noted section, its choice sent to the preview, under the banner."""
    page = render_template("learn/note.html", module=module, section=section)
    choice = url_for("learn.note_choice", module_id=module.id, section_id=section.id)
    page = page.replace(f'action="{choice}"', 'action=""')
    banner = render_template(
        "author/_preview_banner.html",
        draft=draft,
        module=module,
        answers=False,
        errors=[p for p in module.problems if p.is_error],
    )
    return page.replace('id="main-content">', f'id="main-content">{banner}', 1)


def _note_choice(module: Module, section: Section, choice: str) -> ResponseReturnValue:
    """What a learner's choice before a noted section does, without recording anything."""
    here = url_for("author.draft_preview_section", module_id=module.id, section_id=section.id)
    if choice == "continue":
        return redirect(f"{here}?note=continue")
    following = module.section_index(section.id) + 1
    if choice == "skip" and following < len(module.sections):
        target = module.sections[following].id
        return redirect(url_for("author.draft_preview_section", module_id=module.id, section_id=target))
    if choice == "skip":
        return redirect(url_for("author.draft_preview", module_id=module.id))
    flash("Learners who choose a pause go to the grounding page. This is a preview: nothing is saved.")
    return redirect(here)


def _answers_shown() -> bool:
    return request.args.get("answers") == "yes"


def as_draft(html: str, module_id: str, answers: bool) -> str:
    """Point the learner's links, images and forms in a rendered section at the draft's preview.

    The block templates are the learners' own, so they link to learners' pages; here those
    must lead to the draft's files and sections, and every form to the preview, which saves nothing.
    """
    learn = f"/learn/{module_id}/"
    files = url_for("author.draft_file", module_id=module_id, path="")
    html = re.sub(rf'(src|href)="{re.escape(learn)}assets/', rf'\1="{files}', html)
    suffix = "?answers=yes" if answers else ""

    def section_link(match: re.Match[str]) -> str:
        target = url_for("author.draft_preview_section", module_id=module_id, section_id=match.group(1))
        return f'href="{target}{suffix}{match.group(2) or ""}"'

    html = re.sub(rf'href="{re.escape(learn)}([a-z0-9-]+)(#[^"]*)?"', section_link, html)
    return re.sub(r'(action|formaction)="[^"]*"', r'\1=""', html)


@bp.get("/drafts/<module_id>/files/<path:path>")
@roles_required(*AUTHORS)
def draft_file(module_id: str, path: str) -> Response:
    """An image or handout of a draft, for its preview: only the types learners may fetch."""
    _draft(module_id)
    data = drafts.draft_files(module_id).get(path)
    kind = asset_type(path)
    if data is None or kind is None or Path(path).suffix.lower() not in ASSET_TYPES:
        abort(404)
    response = Response(data, mimetype=kind)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/modules/<module_id>/edit")
@roles_required(*AUTHORS)
def edit(module_id: str) -> ResponseReturnValue:
    """Start a draft from the text learners see now (or open the draft there is)."""
    if drafts.get_draft(module_id) is None:
        if not ActionForm().validate_on_submit():
            abort(400)
        markdown, files, label = published_text(module_id)
        drafts.start_from_published(current_user.id, module_id, markdown, files, label)
    return redirect(url_for("author.draft", module_id=module_id))


def published_text(module_id: str) -> tuple[str, dict[str, bytes], str | None]:
    """The markdown, files and version label of what learners see now: published, or on disk."""
    version = current_version(module_id)
    if version is not None and version.markdown is not None:
        return version.markdown, version_files(version.id), version.version
    module = current_library().all_modules.get(module_id)
    if module is None:
        abort(404)
    from tilearn.web.learn import module_folder

    folder = module_folder(module)
    markdown_file = next(folder.glob("*.md"))
    files = {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix.lower() in ASSET_TYPES and not p.name.startswith(".")
    }
    return markdown_file.read_text(encoding="utf-8"), files, module.version
