"""A plain A4 report as a PDF, a paragraph a line, in the certificate's fonts: service audits, checklists.

Imported only when a report is exported: fpdf2 and the font machinery add to start-up otherwise.
"""

from __future__ import annotations

import logging

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from tilearn.services.certificate_document import INK, MAIN_FONT, FontFile, fonts_for, printable, use_fonts

log = logging.getLogger("tilearn.reports")
#: a paragraph: its text, its size in points, and whether it is bold
Line = tuple[str, float, bool]


class ReportPDF(FPDF):
    """An A4 portrait report in Noto Sans, pages added as the text needs them."""

    def __init__(self, fallbacks: list[FontFile]) -> None:
        """A4 portrait, Noto Sans with the fallback fonts, shaped text, automatic page breaks."""
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_auto_page_break(True, margin=15)
        use_fonts(self, fallbacks)
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


def report_pdf(lines: list[Line], title: str, author: str, what: str) -> bytes:
    """The lines as paragraphs (more space after a heading), with the fallback fonts their characters need.

    ``what`` names the report in the warning logged when a character has no shipped font.
    """
    choice = fonts_for("\n".join(text for text, _size, _bold in lines))
    if choice.uncovered:
        log.warning("%s: some characters have no shipped font; printed as U+FFFD", what)
    pdf = ReportPDF(choice.fallbacks)
    pdf.set_title(printable(title, choice.uncovered))
    pdf.set_author(author)
    for text, size, bold in lines:
        pdf.text_block(printable(text, choice.uncovered), size, bold, after=2 if size > 10 else 0.5)
    try:
        return bytes(pdf.output())
    finally:
        pdf.close_fonts()
