"""Development plans learners chose to share with their manager: read them, and write down what was agreed.

Only the managers of the learner's team see a shared plan (an admin who does not manage the team
does not); an unshared plan, or one outside the viewer's teams, is a 404. Opening a plan and
recording the agreement are audited.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tilearn.services import development_plans as plans
from tilearn.services.audit import record_view
from tilearn.services.organisation import current_scheme
from tilearn.services.people import names_of
from tilearn.web.access import roles_required

bp = Blueprint("shared_plans", __name__, url_prefix="/manage/plans")


@bp.get("/")
@roles_required("manager", "admin")
def index() -> str:
    """The plans learners in my teams have shared with me."""
    return render_template("plans/shared_list.html", shared=plans.plans_shared_with(current_user.id))


def _page(
    found: plans.SharedPlan, error: plans.PlanError | None = None, status: int = 200
) -> ResponseReturnValue:
    plan = found.plan
    posted = error is not None
    values = {
        name: request.form.get(name, "") if posted else (getattr(plan, name) or "")
        for name in plans.AGREED_FIELDS
    }
    return render_template(
        "plans/shared.html",
        found=found,
        plan=plan,
        values=values,
        ratings=plans.ratings(plan),
        confidence=plans.CONFIDENCE,
        scheme=current_scheme(),
        error=error,
        agreed_by=names_of([plan.agreed_by]).get(plan.agreed_by) if plan.agreed_by else None,
    ), status


@bp.get("/<int:user_id>")
@roles_required("manager", "admin")
def show(user_id: int) -> ResponseReturnValue:
    """A plan a learner in my team shared with me; opening it is audited."""
    found = plans.shared_plan(current_user.id, user_id)
    if found is None:
        abort(404)
    record_view(current_user.id, "development_plan.viewed", f"user:{user_id}")
    return _page(found)


@bp.post("/<int:user_id>")
@roles_required("manager", "admin")
def agree(user_id: int) -> ResponseReturnValue:
    """Write down the plan and support agreed with the learner, and when."""
    if plans.shared_plan(current_user.id, user_id) is None:
        abort(404)
    try:
        plans.record_agreement(
            current_user.id,
            user_id,
            request.form.get("agreed_plan", ""),
            request.form.get("agreed_support", ""),
        )
    except plans.PlanError as error:
        found = plans.shared_plan(current_user.id, user_id)
        assert found is not None
        return _page(found, error, 400)
    flash("The agreed plan is saved, with today's date", "success")
    return redirect(url_for("shared_plans.show", user_id=user_id))
