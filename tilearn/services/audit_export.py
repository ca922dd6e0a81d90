"""A service audit as CSV (a row per criterion, then the actions) and as a PDF (report_pdf).

Imported only when an audit is exported: fpdf2 and the font machinery add to start-up otherwise.
"""

from __future__ import annotations

import csv
import io

from tilearn.engine.service_audit import RAG_NAMES, RAG_WORDS
from tilearn.services.report_csv import safe_cell
from tilearn.services.report_pdf import Line, report_pdf
from tilearn.services.service_audits import AuditPage

CSV_HEADINGS = ("principle", "criterion", "status", "was", "description", "evidence")
ACTION_HEADINGS = ("action", "criterion", "owner", "due", "done")


def _criterion_names(page: AuditPage) -> dict[str, str]:
    return {c.key: c.text for _p, c in page.framework.criteria()}


def _action_rows(page: AuditPage) -> list[tuple[str, str, str, str, str]]:
    names = _criterion_names(page)
    return [
        (
            a.action,
            names.get(a.criterion or "", "The audit as a whole"),
            a.owner,
            f"{a.due:%Y-%m-%d}" if a.due else "",
            f"{a.done_at:%Y-%m-%d}" if a.done_at else "not yet",
        )
        for a in page.actions
    ]


def audit_csv(page: AuditPage) -> str:
    """The audit as CSV: a row per criterion (status now and before), a blank line, then the actions."""
    was = {(m.principle, m.criterion): m.was for m in page.moves}
    buffer = io.StringIO()
    out = csv.writer(buffer)

    def row(values: tuple[str, ...] | list[str]) -> None:
        out.writerow([safe_cell(v) for v in values])

    row(CSV_HEADINGS)
    for principle, criterion in page.framework.criteria():
        rating = page.ratings.get(criterion.key)
        before = was.get((principle.name, criterion.text), "")
        row(
            [
                principle.name,
                criterion.text,
                RAG_NAMES.get(rating.status, "") if rating else "",
                RAG_NAMES.get(before, "") if page.previous else "",
                rating.description if rating else "",
                rating.evidence if rating else "",
            ]
        )
    out.writerow([])
    row(ACTION_HEADINGS)
    for action in _action_rows(page):
        row(action)
    return buffer.getvalue()


def audit_pdf(page: AuditPage, organisation: str) -> bytes:
    """The audit as a PDF: whom it is about, counts per principle, every criterion, and the actions."""
    audit = page.audit
    was = {(m.principle, m.criterion): m.was for m in page.moves}
    lines: list[Line] = [
        (organisation, 10, True),
        (f"{page.framework.name}: {page.about}", 16, True),
        (
            f"Audited {audit.created_at:%d %B %Y} by {page.audited_by or 'someone no longer listed'}",
            10,
            False,
        ),
    ]
    if page.previous is not None:
        lines.append((f"Started from the audit of {page.previous.created_at:%d %B %Y}", 10, False))
    for principle in page.framework.principles:
        lines.append((principle.name, 13, True))
        for criterion in principle.criteria:
            rating = page.ratings.get(criterion.key)
            status = RAG_WORDS.get(rating.status, "Not rated") if rating else "Not rated"
            before = was.get((principle.name, criterion.text), "")
            moved = (
                f" (was {RAG_NAMES[before]})"
                if before and before != (rating.status if rating else "")
                else ""
            )
            lines.append((criterion.text, 10, True))
            lines.append((f"Status: {status}{moved}", 10, False))
            if rating and rating.description:
                lines.append((f"Where we are: {rating.description}", 10, False))
            if rating and rating.evidence:
                lines.append((f"Evidence: {rating.evidence}", 10, False))
    lines.append(("Actions", 13, True))
    rows = _action_rows(page)
    if not rows:
        lines.append(("No actions recorded.", 10, False))
    for text, for_what, owner, due, done in rows:
        lines.append((text, 10, True))
        lines.append((f"For: {for_what}. Owner: {owner}. Due: {due or 'not set'}. Done: {done}.", 10, False))
    title = f"{page.framework.name}: {page.about}"
    return report_pdf(lines, title, organisation, f"audit {audit.id}")
