"""Choosing quality training checklists as CSV (a row per checklist and question) and as a PDF (report_pdf).

Imported only when a checklist is exported: fpdf2 and the font machinery add to start-up otherwise.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from tilearn.engine.checklist import ANSWERS
from tilearn.services.report_csv import safe_cell
from tilearn.services.report_pdf import Line, report_pdf
from tilearn.services.training_checklists import ChecklistPage

CSV_HEADINGS = (
    "checklist id",
    "checklist",
    "module id",
    "module version",
    "training offer",
    "completed by",
    "completed on",
    "question number",
    "question",
    "answer",
    "note",
    "overall notes",
)
NOT_ANSWERED = "Not answered"
NO_LONGER_LISTED = "someone no longer listed"


def about(page: ChecklistPage) -> str:
    """What the checklist was about: the module and its version, or the training offer."""
    kept = page.checklist
    return f"{kept.module_id}, version {kept.module_version}" if kept.module_id else kept.offer or ""


def checklists_csv(pages: Iterable[ChecklistPage]) -> str:
    """Checklists as CSV: a row per checklist and question; cells a spreadsheet would run are neutralised."""
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(CSV_HEADINGS)
    for page in pages:
        kept = page.checklist
        for number, row in enumerate(page.rows, start=1):
            out.writerow(
                [
                    safe_cell(value)
                    for value in (
                        kept.id,
                        page.name,
                        kept.module_id,
                        kept.module_version,
                        kept.offer,
                        page.completed_by,
                        f"{kept.created_at:%Y-%m-%d}",
                        number,
                        row["question"],
                        ANSWERS.get(row["answer"], NOT_ANSWERED),
                        row["notes"],
                        kept.notes,
                    )
                ]
            )
    return buffer.getvalue()


def checklist_pdf(page: ChecklistPage, organisation: str) -> bytes:
    """One checklist as a PDF: what it was about, who answered it when, each answer in words and its note."""
    kept = page.checklist
    lines: list[Line] = [
        (organisation, 10, True),
        (f"{page.name}: {about(page)}", 16, True),
        (f"Answered {kept.created_at:%d %B %Y} by {page.completed_by or NO_LONGER_LISTED}", 10, False),
    ]
    for number, row in enumerate(page.rows, start=1):
        lines.append((f"{number}. {row['question']}", 10, True))
        lines.append((f"Answer: {ANSWERS.get(row['answer'], NOT_ANSWERED)}", 10, False))
        if row["notes"]:
            lines.append((f"Note: {row['notes']}", 10, False))
    if kept.notes:
        lines += [("Overall notes", 13, True), (kept.notes, 10, False)]
    return report_pdf(lines, f"{page.name}: {about(page)}", organisation, f"training checklist {kept.id}")
