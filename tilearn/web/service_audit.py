"""Service audits: managers audit their own teams, admins any team or a named service.

Each audit rates every criterion red, amber or green, with actions to follow; a re-audit starts
from the last one and shows what moved. An audit outside the viewer's scope is a 404, as if it
did not exist. Creating, changing and exporting are audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tilearn.engine.service_audit import RAG, RAG_NAMES, RAG_WORDS, AuditFramework, Ratings, chart, rag_counts
from tilearn.models import ServiceAudit, Team
from tilearn.services import service_audits as audits
from tilearn.services.audit import record_view
from tilearn.services.organisation import current_scheme, current_settings
from tilearn.web.access import roles_required

#: the chart draws the newest audits only, so it stays readable; the table lists them all
CHART_AUDITS = 8

bp = Blueprint("audits", __name__, url_prefix="/manage/audits")


@bp.app_context_processor
def _rag() -> dict[str, object]:
    return {"RAG": RAG, "RAG_NAMES": RAG_NAMES, "RAG_WORDS": RAG_WORDS}


def _see_all() -> bool:
    return bool(current_user.has_role("admin"))


def _team(team_id: int) -> Team:
    team = audits.team_in_scope(current_user.id, _see_all(), team_id)
    if team is None:
        abort(404)
    return team


def _audit(audit_id: int) -> ServiceAudit:
    audit = audits.audit_in_scope(current_user.id, _see_all(), audit_id)
    if audit is None:
        abort(404)
    return audit


def _framework() -> AuditFramework | None:
    return current_scheme().service_audit


@bp.get("/")
@roles_required("manager", "admin")
def index() -> str:
    """The teams I can audit with their latest audit; for admins, the named services too."""
    teams = audits.teams_to_assess(current_user.id, _see_all())
    return render_template(
        "audit/index.html",
        teams=teams,
        latest=audits.latest_for_teams([team.id for team in teams]),
        services=audits.latest_for_services() if _see_all() else [],
        framework=_framework(),
    )


def _form_page(
    about: str,
    framework: AuditFramework,
    start: Ratings,
    back: str,
    problems: dict[str, str] | None = None,
    status: int = 200,
    ask_service: bool = False,
    editing: bool = False,
) -> ResponseReturnValue:
    texts: Mapping[str, str]
    if request.method == "POST":
        given = {
            key: request.form.get(f"status-{key}", "") for key in (c.key for _p, c in framework.criteria())
        }
        texts = request.form
    else:
        given = {key: rating.status for key, rating in start.items()}
        texts = {
            f"{field}-{key}": getattr(rating, field)
            for key, rating in start.items()
            for field in ("description", "evidence")
        }
    page = render_template(
        "audit/form.html",
        about=about,
        framework=framework,
        given=given,
        texts=texts,
        back=back,
        problems=problems or {},
        ask_service=ask_service,
        service=request.form.get("service", ""),
        editing=editing,
        started_from=bool(start) and not editing,
    )
    return page, status


@bp.route("/teams/<int:team_id>/new", methods=["GET", "POST"])
@roles_required("manager", "admin")
def audit_team(team_id: int) -> ResponseReturnValue:
    """Audit one of my teams, starting from its last audit."""
    team = _team(team_id)
    framework = _framework()
    if framework is None:
        return render_template("audit/no_framework.html"), 200
    start = audits.ratings_of(audits.latest(team_id=team.id))
    back = url_for("audits.index")
    if request.method == "GET":
        return _form_page(team.name, framework, start, back)
    try:
        audit = audits.record_audit(current_user.id, framework, request.form, team_id=team.id)
    except audits.FormProblems as bad:
        return _form_page(team.name, framework, start, back, bad.problems, 400)
    flash("Audit saved", "success")
    return redirect(url_for("audits.show", audit_id=audit.id))


@bp.route("/services/new", methods=["GET", "POST"])
@roles_required("admin")
def audit_service() -> ResponseReturnValue:
    """Audit a service by name (admins): a new one, or the next audit of one audited before."""
    framework = _framework()
    if framework is None:
        return render_template("audit/no_framework.html"), 200
    back = url_for("audits.index")
    named = request.values.get("service", "")
    start = audits.ratings_of(audits.latest(service=" ".join(named.split()))) if named else {}
    if request.method == "GET":
        return _form_page("a service", framework, start, back, ask_service=True)
    try:
        service = audits.clean_service_name(named)
        audit = audits.record_audit(current_user.id, framework, request.form, service=service)
    except audits.FormProblems as bad:
        return _form_page("a service", framework, start, back, bad.problems, 400, ask_service=True)
    flash("Audit saved", "success")
    return redirect(url_for("audits.show", audit_id=audit.id))


@bp.get("/<int:audit_id>/again")
@roles_required("manager", "admin")
def again(audit_id: int) -> ResponseReturnValue:
    """Audit the same team or service again, starting from its last audit."""
    audit = _audit(audit_id)
    if audit.team_id is not None:
        return redirect(url_for("audits.audit_team", team_id=audit.team_id))
    return redirect(url_for("audits.audit_service", service=audit.service))


def _chart_data(audit: ServiceAudit) -> tuple[object, list[dict[str, object]]]:
    earlier = audits.history(audit)
    framework = audits.framework_of(audit)
    rows = []
    for number, past in enumerate(earlier, start=1):
        counts = rag_counts(framework, audits.ratings_of(past))
        rows.append({"label": str(number), "audit": past, "counts": counts})
    drawn = [(str(row["label"]), row["counts"]) for row in rows[-CHART_AUDITS:]]
    geometry = chart([(p.key, p.name) for p in framework.principles], drawn)  # type: ignore[arg-type]
    return geometry, rows


def _show(
    audit: ServiceAudit, problems: dict[str, str] | None = None, status: int = 200
) -> ResponseReturnValue:
    page = audits.audit_page(audit)
    geometry, rows = _chart_data(audit)
    return render_template(
        "audit/show.html",
        page=page,
        chart=geometry,
        rows=rows,
        problems=problems or {},
        form=request.form if problems else {},
        criteria={c.key: c.text for _p, c in page.framework.criteria()},
        today=date.today(),
    ), status


@bp.get("/<int:audit_id>")
@roles_required("manager", "admin")
def show(audit_id: int) -> ResponseReturnValue:
    """An audit: ratings, what moved since the last one, actions, and the counts over time."""
    return _show(_audit(audit_id))


@bp.route("/<int:audit_id>/edit", methods=["GET", "POST"])
@roles_required("manager", "admin")
def edit(audit_id: int) -> ResponseReturnValue:
    """Change an audit's ratings, descriptions and evidence."""
    audit = _audit(audit_id)
    framework = audits.framework_of(audit)
    about = audits.about(audit)
    back = url_for("audits.show", audit_id=audit.id)
    if request.method == "GET":
        return _form_page(about, framework, audits.ratings_of(audit), back, editing=True)
    try:
        audits.update_audit(current_user.id, audit.id, request.form)
    except audits.FormProblems as bad:
        return _form_page(about, framework, {}, back, bad.problems, 400, editing=True)
    flash("Audit updated", "success")
    return redirect(back)


@bp.post("/<int:audit_id>/actions")
@roles_required("manager", "admin")
def add_action(audit_id: int) -> ResponseReturnValue:
    """Add an action: what, who, by when."""
    audit = _audit(audit_id)
    try:
        audits.add_action(current_user.id, audit.id, request.form)
    except audits.FormProblems as bad:
        return _show(audit, bad.problems, 400)
    flash("Action added", "success")
    return redirect(url_for("audits.show", audit_id=audit.id, _anchor="actions"))


@bp.post("/<int:audit_id>/actions/<int:action_id>")
@roles_required("manager", "admin")
def action_done(audit_id: int, action_id: int) -> ResponseReturnValue:
    """Mark an action done, or not done again."""
    audit = _audit(audit_id)
    try:
        audits.set_action_done(current_user.id, audit.id, action_id, request.form.get("done") == "yes")
    except LookupError:
        abort(404)
    return redirect(url_for("audits.show", audit_id=audit.id, _anchor="actions"))


def _filename(audit: ServiceAudit, extension: str) -> str:
    return f"service-audit-{audit.id}-{audit.created_at:%Y-%m-%d}.{extension}"


@bp.get("/<int:audit_id>/audit.csv")
@roles_required("manager", "admin")
def export_csv(audit_id: int) -> Response:
    """The audit as CSV; audited."""
    from tilearn.services.audit_export import audit_csv

    audit = _audit(audit_id)
    record_view(current_user.id, "service_audit.exported", audits.subject(audit), f"audit:{audit.id}; csv")
    return Response(
        audit_csv(audits.audit_page(audit)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_filename(audit, "csv")}"'},
    )


@bp.get("/<int:audit_id>/audit.pdf")
@roles_required("manager", "admin")
def export_pdf(audit_id: int) -> Response:
    """The audit as a PDF; audited."""
    from tilearn.services.audit_export import audit_pdf

    audit = _audit(audit_id)
    record_view(current_user.id, "service_audit.exported", audits.subject(audit), f"audit:{audit.id}; pdf")
    return Response(
        audit_pdf(audits.audit_page(audit), current_settings().name),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_filename(audit, "pdf")}"'},
    )
