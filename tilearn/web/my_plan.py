"""A learner's own development plan: write it, rate confidence, and choose whether their manager sees it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from tilearn.services import development_plans as plans
from tilearn.services.organisation import current_scheme
from tilearn.services.people import names_of
from tilearn.web.library_state import current_library

bp = Blueprint("my_plan", __name__, url_prefix="/my-plan")


def _outcomes(level_key: str | None) -> list[plans.OutcomeToRate]:
    return plans.outcomes_for(current_library(), current_scheme(), level_key)


def _page(error: plans.PlanError | None = None, status: int = 200) -> ResponseReturnValue:
    plan = plans.plan_for(current_user.id)
    posted = request.method == "POST" and error is not None
    level = (request.form.get("level") if posted else plan.level if plan else None) or plans.expected_level(
        current_user.id
    )
    if posted:
        values = {name: request.form.get(name, "") for name in plans.LEARNER_FIELDS}
        level = request.form.get("rated_level") or level
    else:
        values = {name: (getattr(plan, name) or "") if plan else "" for name in plans.LEARNER_FIELDS}
    outcomes = _outcomes(level)
    saved = plans.ratings(plan)
    rated = (
        {(o.module_id, o.text): request.form.get(f"confidence-{n}", "") for n, o in enumerate(outcomes)}
        if posted
        else {key: str(value) for key, value in saved.items()}
    )
    return render_template(
        "plans/mine.html",
        plan=plan,
        values=values,
        chosen_level=(request.form.get("level", "") if posted else (plan.level if plan else "")) or "",
        rated_level=level or "",
        outcomes=outcomes,
        rated=rated,
        confidence=plans.CONFIDENCE,
        scheme=current_scheme(),
        error=error,
        has_a_manager=plans.has_a_manager(current_user.id),
        agreed_by=names_of([plan.agreed_by]).get(plan.agreed_by or 0) if plan and plan.agreed_by else None,
    ), status


@bp.get("/")
@login_required
def mine() -> ResponseReturnValue:
    """The learner's plan (or an empty one to start), with its sharing choice and dates."""
    return _page()


@bp.post("/")
@login_required
def save() -> ResponseReturnValue:
    """Save the learner's part of the plan and their confidence ratings."""
    outcomes = _outcomes(request.form.get("rated_level"))
    rated: dict[tuple[str, str], int] = {}
    for number, outcome in enumerate(outcomes):
        value = request.form.get(f"confidence-{number}", "")
        if value:
            rated[(outcome.module_id, outcome.text)] = int(value) if value.isdigit() else 0
    try:
        plans.save_plan(current_user.id, request.form, request.form.get("level"), current_scheme(), rated)
    except plans.PlanError as error:
        return _page(error, 400)
    flash("Your plan is saved", "success")
    return redirect(url_for("my_plan.mine"))


@bp.post("/sharing")
@login_required
def sharing() -> ResponseReturnValue:
    """Share the plan with the learner's manager, or stop sharing it."""
    share = request.form.get("share") == "yes"
    plan = plans.set_sharing(current_user.id, share)
    if plan is None:
        flash("Save your plan first: then you can choose to share it", "info")
    elif share:
        flash("Your plan is shared with your manager", "success")
    else:
        flash("Your plan is private again: only you can see it", "success")
    return redirect(url_for("my_plan.mine"))


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete() -> ResponseReturnValue:
    """Check, then remove the learner's plan entirely."""
    if request.method == "GET":
        return render_template("plans/delete.html", plan=plans.plan_for(current_user.id))
    plans.delete_plan(current_user.id)
    flash("Your plan is deleted", "success")
    return redirect(url_for("my_plan.mine"))
