"""A service audit as CSV (a row per criterion, then the actions) and as a PDF with the certificate's fonts.

Imported only when an audit is exported: fpdf2 and the font machinery add to start-up otherwise.
"""

from __future__ import annotations

import csv
import io
import logging

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from tilearn.engine.service_audit import RAG_NAMES, RAG_WORDS
from tilearn.services.certificate_document import FONTS, INK, MAIN_FONT, fonts_for, printable
from tilearn.services.report_csv import safe_cell
from tilearn.services.service_audits import AuditPage

log = logging.getLogger("tilearn.audits")
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


class AuditPDF(FPDF):
    """An A4 portrait report in Noto Sans, pages added as the text needs them."""

    def __init__(self, fallbacks: list) -> None:
        """A4 portrait, Noto Sans with the fallback fonts, shaped text, automatic page breaks."""
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_auto_page_break(True, margin=15)
        self.set_creator("tilearn")
        for font in (MAIN_FONT, *fallbacks):
            self.add_font(font.family, "", str(font.path))
            if font.bold:
                self.add_font(font.family, "B", str(FONTS / font.bold))
        self.set_fallback_fonts([font.family for font in fallbacks], exact_match=False)
        self.set_text_shaping(True)
        self.set_text_color(*INK)
        self.add_page()

    def close_fonts(self) -> None:
        """Close every font file fpdf2 opened."""
        for font in self.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()

    def text_block(self, text: str, size: float = 10, bold: bool = False, after: float = 1) -> None:
        """A paragraph across the page."""
        self.set_font(MAIN_FONT.family, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(after)


def audit_pdf(page: AuditPage, organisation: str) -> bytes:
    """The audit as a PDF: whom it is about, counts per principle, every criterion, and the actions."""
    audit = page.audit
    was = {(m.principle, m.criterion): m.was for m in page.moves}
    lines: list[tuple[str, float, bool]] = [
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
    choice = fonts_for("\n".join(text for text, _size, _bold in lines))
    if choice.uncovered:
        log.warning("audit %s: some characters have no shipped font; printed as U+FFFD", audit.id)
    pdf = AuditPDF(choice.fallbacks)
    pdf.set_title(f"{page.framework.name}: {printable(page.about, choice.uncovered)}")
    pdf.set_author(organisation)
    for text, size, bold in lines:
        pdf.text_block(printable(text, choice.uncovered), size, bold, after=2 if size > 10 else 0.5)
    try:
        return bytes(pdf.output())
    finally:
        pdf.close_fonts()
