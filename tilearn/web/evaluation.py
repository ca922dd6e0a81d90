"""The learner's evaluation questionnaires: answer, put off ("Not now"), decline ("Don't ask again"), or
stop every invitation ("Stop asking me about evaluations") until they ask for them again."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from tilearn.engine.evaluation import STAGES, check_answers
from tilearn.engine.levels import Level
from tilearn.services import evaluation, evaluation_asking
from tilearn.services.development_plans import outcomes_for
from tilearn.services.organisation import current_scheme
from tilearn.web.library_state import current_library

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")


def _level(level_key: str, stage: str) -> Level:
    scheme = current_scheme()
    level = scheme.level(level_key)
    if scheme.evaluation is None or level is None or stage not in STAGES:
        abort(404)
    return level


def back_to() -> str:
    """Where to go after the learner chose: the page they came from on this site, else My learning."""
    back = request.form.get("back", "")
    # Only a path on this site: never "//host", a backslash or a control character a browser might drop.
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back and back.isprintable()
    return back if local else url_for("learn.my_learning")


@bp.route("/<level_key>/<stage>", methods=["GET", "POST"])
@login_required
def questionnaire(level_key: str, stage: str) -> ResponseReturnValue:
    """A level's questionnaire for one stage, if waiting for the learner; answers are kept anonymously."""
    level = _level(level_key, stage)
    scheme = current_scheme()
    due = evaluation.due_one(current_user.id, current_library(), scheme, level.key, stage)
    if due is None:
        return render_template("evaluation/nothing_waiting.html", level=level), 200
    answers: dict[str, str] = {}
    problem = None
    if request.method == "POST":
        answers, problem = check_answers(due.questionnaire, request.form.to_dict(flat=False))
        if problem is None:
            evaluation.record_answer(current_user.id, scheme, level.key, stage, answers)
            return render_template("evaluation/thanks.html", level=level, back=back_to())
    return render_template(
        "evaluation/questionnaire.html",
        due=due,
        level=level,
        outcomes=outcomes_for(current_library(), scheme, level.key),
        answers=answers,
        problem=problem,
        may_invite=evaluation_asking.may_invite(current_user.id),
        back=request.values.get("back", ""),
    ), (400 if problem else 200)


@bp.post("/<level_key>/<stage>/not-now")
@login_required
def not_now(level_key: str, stage: str) -> ResponseReturnValue:
    """Put the questionnaire off for a while; learning carries on as before."""
    level = _level(level_key, stage)
    evaluation.not_now(current_user.id, current_scheme(), level.key, stage)
    flash(f"We will ask again in {evaluation.NOT_NOW_DAYS} days. You can carry on learning.", "info")
    return redirect(back_to())


@bp.post("/<level_key>/<stage>/stop")
@login_required
def stop(level_key: str, stage: str) -> ResponseReturnValue:
    """Never offer this questionnaire again."""
    level = _level(level_key, stage)
    evaluation.decline(current_user.id, current_scheme(), level.key, stage)
    flash("We will not ask you about this questionnaire again.", "info")
    return redirect(back_to())


@bp.post("/stop-asking")
@login_required
def stop_asking() -> ResponseReturnValue:
    """No more invitations to any questionnaire, on the site or by e-mail, until the learner asks again."""
    evaluation_asking.stop_asking(current_user.id)
    flash(
        "We will not invite you to evaluation questionnaires any more, here or by e-mail. "
        "You can change your mind at the bottom of My learning.",
        "info",
    )
    return redirect(back_to())


@bp.post("/ask-again")
@login_required
def ask_again() -> ResponseReturnValue:
    """Undo "Stop asking me about evaluations"."""
    evaluation_asking.ask_again(current_user.id)
    flash("We will ask you about evaluations again. Answering is always optional.", "info")
    return redirect(back_to())
