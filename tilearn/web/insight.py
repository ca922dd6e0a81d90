"""Insight for trainers and admins: what learners did in each module, as aggregates over five or more.

No page here names or links to a learner, and there are no filters (no team, no dates) that could
narrow a group; every opening of the insight pages and CSVs is audited as insight.viewed. The
evaluation results (before / after / six months, per level and team) are shown here too.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user

from tilearn.database import commit_now, writing
from tilearn.engine.insight import FEWER, label
from tilearn.services import insight, insight_evaluation, insight_totals
from tilearn.services.audit import record_view
from tilearn.services.organisation import current_scheme
from tilearn.services.report_csv import safe_cell
from tilearn.web.access import roles_required
from tilearn.web.library_state import current_library

bp = Blueprint("insight", __name__, url_prefix="/insight")


@bp.get("/")
@roles_required("trainer", "admin")
def index() -> str:
    """The published modules, each linking to its insight page, and the evaluation results; audited."""
    record_view(current_user.id, "insight.viewed", "evaluation", "page")
    levels = insight_evaluation.all_levels(current_scheme())
    return render_template(
        "insight/index.html", modules=current_library().modules, levels=levels, FEWER=FEWER
    )


@bp.get("/evaluation.csv")
@roles_required("trainer", "admin")
def evaluation_export() -> Response:
    """Every level's evaluation results as CSV, as on the insight page (free text never); audited."""
    record_view(current_user.id, "insight.viewed", "evaluation", "csv")
    out = io.StringIO()
    sheet = csv.writer(out)
    sheet.writerow(["level", "stage", "group", "question", "answer", "count"])
    for found in insight_evaluation.all_levels(current_scheme()):
        for stage in found.stages:
            groups = [insight_evaluation.GroupResults("All teams", stage.everyone), *stage.teams]
            for group in groups:
                head = [found.level.name, stage.name, group.name]
                sheet.writerow(
                    [safe_cell(v) for v in [*head, "", "responses", label(group.results.responses)]]
                )
                for question in group.results.questions:
                    if question.counts is None:
                        sheet.writerow([safe_cell(v) for v in [*head, question.text, "all answers", FEWER]])
                        continue
                    for answer, count in question.counts:
                        sheet.writerow([safe_cell(v) for v in [*head, question.text, answer, count]])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="insight-evaluation.csv"'},
    )


def _insight_for(module_id: str, how: str) -> insight.ModuleInsight:
    """The module's figures from its running totals (counted afresh once per version); audited."""
    module = current_library().get(module_id)
    if module is None:
        abort(404)
    record_view(current_user.id, "insight.viewed", f"module:{module_id}", how)
    if not insight_totals.is_counted(module):
        # Once per version of the module: count every learner, in a short write of its own.
        with writing():
            insight_totals.recount(module)
            commit_now()
    return insight.module_insight(module)


@bp.get("/<module_id>")
@roles_required("trainer", "admin")
def module(module_id: str) -> str:
    """One module's sections and questions, as tables and bar charts; audited."""
    found = _insight_for(module_id, "page")
    scheme = current_scheme()
    level = scheme.level_for_module(found.module.level)
    levels = [insight_evaluation.level_results(scheme, level)] if level and scheme.evaluation else []
    return render_template("insight/module.html", insight=found, FEWER=FEWER, levels=levels)


@bp.get("/<module_id>.csv")
@roles_required("trainer", "admin")
def export(module_id: str) -> Response:
    """The same aggregates as the page, as CSV; audited."""
    found = _insight_for(module_id, "csv")
    out = io.StringIO()
    sheet = csv.writer(out)
    sheet.writerow(["table", "section", "question", "measure", "value"])
    sheet.writerow(["module", "", "", "learners who started", label(found.learners)])
    for row in found.sections:
        for measure, value in (
            ("learners who paused (and were taken to grounding)", label(row.paused)),
            (
                "learners who skipped it for now and have not read it yet",
                label(row.deferred) if row.can_skip else "not offered",
            ),
            (
                "learners who checked answers more than once",
                label(row.retried) if row.can_retry else "no questions",
            ),
            ("learners who went to the grounding page from it", label(row.grounding)),
            ("median minutes", label(row.median_minutes)),
        ):
            sheet.writerow(["sections", safe_cell(row.title), "", measure, value])
    for measure, key in (
        ("paused", "paused"),
        ("skipped for now", "deferred"),
        ("retried", "retried"),
        ("went to grounding", "grounding"),
    ):
        sheet.writerow(["sections", "All sections (sum)", "", measure, label(found.totals[key])])
    for question in found.questions:
        stats = question.stats  # titles and prompts are trainers' text: never run as a formula
        sheet.writerow(
            [
                "questions",
                safe_cell(question.section_title),
                safe_cell(question.prompt),
                "answered",
                label(stats.answered),
            ]
        )
        facility = FEWER if stats.facility is None else f"{round(100 * stats.facility)}%"
        sheet.writerow(
            [
                "questions",
                safe_cell(question.section_title),
                safe_cell(question.prompt),
                "right first time",
                facility,
            ]
        )
        if stats.facility is None:
            discrimination = FEWER
        else:
            discrimination = "not defined" if stats.discrimination is None else f"{stats.discrimination:.2f}"
        sheet.writerow(
            [
                "questions",
                safe_cell(question.section_title),
                safe_cell(question.prompt),
                "discrimination",
                discrimination,
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="insight-{found.module.id}.csv"'},
    )
