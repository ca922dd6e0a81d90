"""The learner's journey: My learning, module overview, sections, answers, reflections."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from tilearn.engine import Module, Section
from tilearn.engine.assets import asset_type, resolve_asset
from tilearn.engine.evaluation import AFTER, BEFORE
from tilearn.services import (
    certificates,
    completion,
    evaluation,
    evaluation_asking,
    progress,
    quizzes,
    reflections,
    statuses,
)
from tilearn.services.organisation import current_scheme
from tilearn.web.library_state import current_library

bp = Blueprint("learn", __name__)


def _module(module_id: str) -> Module:
    module = current_library().get(module_id)
    if module is None:
        abort(404)
    return module


def _section(module: Module, section_id: str) -> Section:
    section = module.section(section_id)
    if section is None:
        abort(404)
    return section


def answers_from_form(section: Section) -> dict[str, list[int]]:
    """The answers in a submitted section form, each read and checked by its question."""
    return quizzes.clean_answers(section, request.form.to_dict(flat=False))


@bp.get("/")
@login_required
def my_learning() -> str:
    """Every module by level, with the learner's status and a resume link, and their evaluation choice."""
    user_id = current_user.id
    scheme = current_scheme()
    levels = progress.my_learning(user_id, current_library(), scheme)
    stopped = evaluation_asking.stopped_asking(user_id)
    asking = scheme.evaluation is not None and evaluation_asking.organisation_invites()
    dues = evaluation.invitations_due(user_id, current_library(), scheme) if asking and not stopped else []
    return render_template(
        "learn/my_learning.html",
        levels=levels,
        evaluations=dues,
        evaluation_state=("stopped" if stopped else "asking") if asking else None,
    )


@bp.get("/learn/<module_id>")
@login_required
def module(module_id: str) -> str:
    """A module's overview: summary, outcomes, time, content notes; start or resume."""
    module = _module(module_id)
    state = progress.module_state(current_user.id, module)
    library = current_library()
    record = state.last_record
    record_status = certificates.record_status(record, library.stale_labels(module.id)) if record else None
    level = library.level_of(module, current_scheme())
    before = [] if state.started or level is None else _due(level.key, BEFORE)
    return render_template(
        "learn/module.html",
        evaluations=before,
        record_status=record_status,
        changes=library.changes_since(module.id, record.module_version) if record else [],
        refresher_open=bool(record_status and record_status.key != statuses.VALID and state.completion),
        module=module,
        state=state,
        level=level,
        resume=state.last_section_id if module.section(state.last_section_id or "") else None,
        scheme=current_scheme(),
        outstanding=completion.sections_outstanding(module, state.seen),
        score=quizzes.module_score(current_user.id, module) if state.started else None,
    )


@bp.get("/learn/<module_id>/<section_id>")
@login_required
def section(module_id: str, section_id: str) -> str:
    """One section. A noted section first offers a choice, unless the learner chose to continue."""
    module = _module(module_id)
    section = _section(module, section_id)
    mine = progress.section_page_state(current_user.id, module.id, section.id)
    if section.note and request.args.get("note") != "continue" and not mine.seen:
        return render_template("learn/note.html", module=module, section=section)
    return _section_page(module, section, mine)


def _section_page(
    module: Module, section: Section, mine: progress.SectionPageState, unsaved: dict[str, str] | None = None
) -> str:
    """The section page; ``unsaved`` holds a reflection that could not be saved, shown with its message.

    A question bank shows the questions drawn for this attempt; ``?retry=1`` draws the next ones.
    """
    quiz = quizzes.quiz_view(current_user.id, module, section, mine, retry=request.args.get("retry") == "1")
    checked, draft = quiz.checked, quiz.draft
    return render_template(
        "learn/section.html",
        module=module,
        section=section,
        index=module.section_index(section.id),
        quiz=quiz,
        checked_answers=checked or {},
        draft=draft,
        has_checked=checked is not None and not draft,
        reflections={**mine.reflections, **(unsaved or {})},
        reflection_error=reflections.TOO_LONG if unsaved else None,
        unsaved=unsaved or {},
        attempt_key=secrets.token_urlsafe(24),
        next_id=progress.next_section_id(module, section.id),
    )


@bp.post("/learn/<module_id>/<section_id>/choice")
@login_required
def note_choice(module_id: str, section_id: str) -> ResponseReturnValue:
    """The learner's choice before a noted section: continue, skip for now, or pause."""
    module = _module(module_id)
    section = _section(module, section_id)
    choice = request.form.get("choice")
    if choice == "continue":
        return redirect(url_for("learn.section", module_id=module.id, section_id=section.id, note="continue"))
    if choice == "skip":
        following = progress.defer_section(current_user.id, module, section.id)
        if following:
            return redirect(url_for("learn.section", module_id=module.id, section_id=following))
        return redirect(url_for("learn.module", module_id=module.id))
    if choice == "pause":
        progress.take_pause(current_user.id, module.id, section.id)
        return redirect(url_for("support.grounding", module=module.id, section=section.id))
    abort(400)


@bp.post("/learn/<module_id>/<section_id>/answers")
@login_required
def answers(module_id: str, section_id: str) -> ResponseReturnValue:
    """Check the learner's answers for a section; show feedback on the section page."""
    module = _module(module_id)
    section = _section(module, section_id)
    key = request.form.get("attempt_key", "")
    if not section.questions or not key:
        abort(400)
    learner = current_user.id
    shown = quizzes.questions_sent(learner, module, section, request.form.get("draw"))
    answers = quizzes.clean_answers(section, request.form.to_dict(flat=False), shown)
    quizzes.submit_answers(learner, module, section, answers, key, shown)
    completion.complete_module(learner, module)
    return redirect(
        url_for("learn.section", module_id=module.id, section_id=section.id, note="continue") + "#answers"
    )


@bp.post("/learn/<module_id>/<section_id>/done")
@login_required
def section_done(module_id: str, section_id: str) -> ResponseReturnValue:
    """The learner finished reading a section: record it and go on."""
    module = _module(module_id)
    section = _section(module, section_id)
    learner = current_user.id
    following = progress.record_section_seen(learner, module, section.id)
    record = completion.complete_module(learner, module)
    if following:
        return redirect(url_for("learn.section", module_id=module.id, section_id=following))
    if record is not None:
        return redirect(url_for("learn.finished", module_id=module.id))
    return redirect(url_for("learn.module", module_id=module.id) + "#what-is-left")


@bp.post("/learn/<module_id>/refresher")
@login_required
def refresher(module_id: str) -> ResponseReturnValue:
    """Start the module again as a refresher; earlier records are kept."""
    module = _module(module_id)
    state = progress.module_state(current_user.id, module)
    if state.completion is None:
        return redirect(url_for("learn.module", module_id=module.id))
    if (
        certificates.record_status(state.completion, current_library().stale_labels(module.id)).key
        != statuses.VALID
    ):
        certificates.start_refresher(current_user.id, module)
    return redirect(url_for("learn.section", module_id=module.id, section_id=module.sections[0].id))


@bp.get("/learn/<module_id>/finished")
@login_required
def finished(module_id: str) -> ResponseReturnValue:
    """The end of a module: the completion record, calmly."""
    module = _module(module_id)
    record = progress.latest_completion(current_user.id, module.id)
    if record is None:
        return redirect(url_for("learn.module", module_id=module.id))
    level = current_library().level_of(module, current_scheme())
    after = _due(level.key, AFTER) if level else []
    return render_template("learn/finished.html", module=module, record=record, evaluations=after)


def _due(level_key: str, stage: str) -> list[evaluation.Due]:
    """This level's questionnaire for this stage, as a one-item list if it is waiting and may be offered."""
    if not evaluation_asking.may_invite(current_user.id):
        return []
    due = evaluation.due_one(current_user.id, current_library(), current_scheme(), level_key, stage)
    return [due] if due else []


@bp.post("/learn/<module_id>/<section_id>/reflections/<reflection_id>")
@login_required
def reflection(module_id: str, section_id: str, reflection_id: str) -> ResponseReturnValue:
    """Save or delete the learner's private reflection."""
    module = _module(module_id)
    section = _section(module, section_id)
    if reflection_id not in {r.id for r in section.reflections}:
        abort(404)
    if request.form.get("action") == "delete":
        reflections.delete_reflection(current_user.id, module.id, reflection_id)
    else:
        text = request.form.get("text", "")
        try:
            reflections.save_reflection(current_user.id, module.id, reflection_id, text)
        except reflections.ReflectionTooLong:
            mine = progress.section_page_state(current_user.id, module.id, section.id)
            return _section_page(module, section, mine, unsaved={reflection_id: text}), 400
    return redirect(
        url_for("learn.section", module_id=module.id, section_id=section.id, note="continue")
        + f"#reflection-{reflection_id}"
    )


@bp.get("/learn/<module_id>/assets/<path:path>")
@login_required
def asset(module_id: str, path: str) -> Response:
    """An image or handout from the module's folder: only allowed types, never the markdown itself."""
    module = _module(module_id)
    found = resolve_asset(module_folder(module), path)
    if found is None:
        abort(404)
    return send_file(found, mimetype=asset_type(path), max_age=3600)


def module_folder(module: Module) -> Path:
    """The folder a module was loaded from."""
    from tilearn.config import PROJECT_ROOT

    path = Path(module.path)
    return (path if path.is_absolute() else PROJECT_ROOT / path).parent
