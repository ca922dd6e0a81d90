"""Training needs: managers answer the scheme's questions for their teams (admins for any team, or a person).

The answers recommend a level with the reasons; accepting it sets the expected level. Recording
and accepting are audited; opening a person's assessment is too. A team or assessment outside
the viewer's scope is a 404, as if it did not exist.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tilearn.models import NeedsAssessment, Team, User
from tilearn.services import needs_assessment as needs
from tilearn.services.audit import record_view
from tilearn.services.organisation import current_scheme
from tilearn.services.people import PersonError
from tilearn.services.teams import TeamError
from tilearn.web.access import roles_required

bp = Blueprint("needs", __name__, url_prefix="/manage/training-needs")


def _see_all() -> bool:
    return bool(current_user.has_role("admin"))


def _team(team_id: int) -> Team:
    team = needs.team_in_scope(current_user.id, _see_all(), team_id)
    if team is None:
        abort(404)
    return team


def _person(user_id: int) -> User:
    person = needs.person_to_assess(user_id)
    if person is None:
        abort(404)
    return person


def _in_scope(assessment: NeedsAssessment | None) -> NeedsAssessment:
    if assessment is None:
        abort(404)
    if assessment.team_id is not None:
        _team(assessment.team_id)
    elif not _see_all():
        abort(404)
    return assessment


@bp.get("/")
@roles_required("manager", "admin")
def index() -> str:
    """The teams I can assess, with their expected level and latest assessment."""
    teams = needs.teams_to_assess(current_user.id, _see_all())
    latest = needs.latest_for_teams([team.id for team in teams])
    return render_template("needs/index.html", teams=teams, latest=latest, scheme=current_scheme())


def _questions_page(
    about: str, action: str, back: str, problems: dict[str, str] | None = None, status: int = 200
) -> ResponseReturnValue:
    scheme = current_scheme()
    if scheme.needs_assessment is None:
        return render_template("needs/no_questions.html", scheme=scheme, about=about, back=back)
    given = request.form.to_dict(flat=False) if request.method == "POST" else {}
    page = render_template(
        "needs/questions.html",
        about=about,
        action=action,
        back=back,
        questions=scheme.needs_assessment,
        scheme=scheme,
        given=given,
        notes=request.form.get("notes", ""),
        problems=problems or {},
    )
    return page, status


def _record(
    about: str, back: str, team_id: int | None = None, user_id: int | None = None
) -> ResponseReturnValue:
    if request.method == "GET" or current_scheme().needs_assessment is None:
        return _questions_page(about, request.path, back)
    try:
        assessment = needs.record_assessment(
            current_user.id, request.form.to_dict(flat=False), request.form.get("notes", ""), team_id, user_id
        )
    except needs.AnswersNeeded as problems:
        return _questions_page(about, request.path, back, problems.problems, 400)
    return redirect(url_for("needs.show", assessment_id=assessment.id))


@bp.route("/teams/<int:team_id>/new", methods=["GET", "POST"])
@roles_required("manager", "admin")
def assess_team(team_id: int) -> ResponseReturnValue:
    """Answer the training-needs questions for one of my teams."""
    team = _team(team_id)
    return _record(team.name, url_for("needs.team_history", team_id=team.id), team_id=team.id)


@bp.get("/teams/<int:team_id>")
@roles_required("manager", "admin")
def team_history(team_id: int) -> str:
    """Every assessment of one of my teams, newest first."""
    team = _team(team_id)
    rows = needs.history(team_id=team.id)
    return render_template(
        "needs/history.html",
        about=team.name,
        expected=team.expected_level,
        rows=rows,
        names=needs.names([r.assessed_by for r in rows]),
        new_url=url_for("needs.assess_team", team_id=team.id),
        scheme=current_scheme(),
    )


@bp.route("/people/<int:user_id>/new", methods=["GET", "POST"])
@roles_required("admin")
def assess_person(user_id: int) -> ResponseReturnValue:
    """Answer the training-needs questions for one person's role (admins only)."""
    person = _person(user_id)
    return _record(person.name, url_for("needs.person_history", user_id=person.id), user_id=person.id)


@bp.get("/people/<int:user_id>")
@roles_required("admin")
def person_history(user_id: int) -> str:
    """Every assessment of one person's role, newest first; opening it is audited."""
    person = _person(user_id)
    rows = needs.history(user_id=person.id)
    record_view(current_user.id, "needs_assessment.viewed", f"user:{person.id}")
    return render_template(
        "needs/history.html",
        about=person.name,
        expected=person.expected_level,
        person=person,
        rows=rows,
        names=needs.names([r.assessed_by for r in rows]),
        new_url=url_for("needs.assess_person", user_id=person.id),
        scheme=current_scheme(),
    )


def _back_to(assessment: NeedsAssessment) -> str:
    if assessment.team_id is not None:
        return url_for("needs.team_history", team_id=assessment.team_id)
    return url_for("needs.person_history", user_id=assessment.user_id)


def _show(assessment: NeedsAssessment, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    page = needs.assessment_page(assessment)
    return render_template(
        "needs/result.html",
        page=page,
        scheme=current_scheme(),
        names=needs.names([assessment.assessed_by, assessment.accepted_by]),
        back=_back_to(assessment),
        error=error,
        chosen=request.form.get("level") or assessment.recommended_level,
    ), status


@bp.get("/<int:assessment_id>")
@roles_required("manager", "admin")
def show(assessment_id: int) -> ResponseReturnValue:
    """The recommended level with the reasons, the answers, and a button to accept it."""
    assessment = _in_scope(needs.get_assessment(assessment_id))
    if assessment.user_id is not None:
        record_view(current_user.id, "needs_assessment.viewed", f"user:{assessment.user_id}")
    return _show(assessment)


@bp.post("/<int:assessment_id>/accept")
@roles_required("manager", "admin")
def accept(assessment_id: int) -> ResponseReturnValue:
    """Set the expected level the assessment recommends (or the one the manager chose)."""
    assessment = _in_scope(needs.get_assessment(assessment_id))
    try:
        needs.accept_assessment(current_user.id, assessment.id, request.form.get("level", ""))
    except (needs.CannotAccept, TeamError, PersonError) as error:
        return _show(assessment, str(error), 400)
    level = current_scheme().level(assessment.accepted_level or "")
    flash(f"Expected level set to {level.name if level else assessment.accepted_level}", "success")
    return redirect(url_for("needs.show", assessment_id=assessment.id))
