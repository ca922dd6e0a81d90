"""Managers: their teams' progress against expected levels, a learner's record, and CSV export.

Opening a learner's record, exporting the report and downloading someone's certificate are audited.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_login import current_user

from tilearn.extensions import db
from tilearn.models import CompletionRecord, Team, TeamManager
from tilearn.services import certificates, report_csv, reports, statuses
from tilearn.services.audit import record_view
from tilearn.services.organisation import current_scheme
from tilearn.web.access import roles_required
from tilearn.web.library_state import current_library
from tilearn.web.records import pdf_response

bp = Blueprint("manage", __name__, url_prefix="/manage")


def _see_all() -> bool:
    return bool(current_user.has_role("admin"))


def _filters() -> reports.Filters:
    """Filters from the query string; anything unrecognised is ignored."""
    team = request.args.get("team", "")
    level = request.args.get("level") or None
    status = request.args.get("status") or None
    return reports.Filters(
        team_id=int(team) if team.isdigit() else None,
        level=level if level and current_scheme().level(level) else None,
        status=status if status in statuses.MODULE_STATUSES else None,
    )


def _my_teams() -> list[Team]:
    query = db.select(Team).order_by(Team.name)
    if not _see_all():
        query = query.join(TeamManager, TeamManager.team_id == Team.id).where(
            TeamManager.user_id == current_user.id
        )
    return list(db.session.scalars(query))


@bp.get("/")
@roles_required("manager", "admin")
def report() -> str:
    """Every learner in my teams against the modules of their expected level, with totals."""
    filters = _filters()
    scheme = current_scheme()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    result = reports.team_report(current_user.id, _see_all(), current_library(), scheme, filters, page)
    return render_template(
        "manage/report.html",
        result=result,
        rows=result.rows,
        page=result.page,
        pages=result.pages,
        filters=filters,
        teams=_my_teams(),
        scheme=scheme,
        statuses=statuses.MODULE_STATUSES,
    )


@bp.get("/report.csv")
@roles_required("manager", "admin")
def export() -> Response:
    """The report as CSV, streamed from one query in large chunks; audited as report.exported."""
    filters, user_id, see_all = _filters(), current_user.id, _see_all()
    if filters.team_id is not None:
        subject = f"team:{filters.team_id}"
    else:
        subject = "teams:all" if see_all else "teams:managed"
    detail = f"level: {filters.level or 'any'}; status: {filters.status or 'any'}"
    record_view(user_id, "report.exported", subject, detail)
    lines = report_csv.csv_export(user_id, see_all, current_library(), current_scheme(), filters)
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="learning-report-{date.today():%Y-%m-%d}.csv"',
        },
    )


@bp.get("/learners/<int:user_id>")
@roles_required("manager", "admin")
def learner(user_id: int) -> str:
    """One learner: status, dates and certificates only. Opening it is audited."""
    row = reports.learner_report(current_user.id, _see_all(), user_id, current_library(), current_scheme())
    if row is None:
        abort(404)
    records = certificates.records_for(user_id)
    library = current_library()
    certs = [(r, certificates.record_status(r, library.stale_labels(r.module_id))) for r in records]
    record_view(current_user.id, "learner.viewed", f"user:{user_id}")
    return render_template("manage/learner.html", row=row, certs=certs)


@bp.get("/learners/<int:user_id>/certificates/<int:record_id>.pdf")
@roles_required("manager", "admin")
def certificate_pdf(user_id: int, record_id: int) -> Response:
    """A certificate PDF of a learner in my teams; audited as certificate.downloaded unless it is my own."""
    learner = reports.learner_in_scope(current_user.id, _see_all(), user_id)
    record = db.session.get(CompletionRecord, record_id)
    if learner is None or record is None or record.user_id != user_id:
        abort(404)
    response = pdf_response(record, learner.name)
    if user_id != current_user.id:
        record_view(current_user.id, "certificate.downloaded", f"record:{record_id}")
    return response
