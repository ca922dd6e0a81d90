"""The certificate as a PDF: Noto fonts for any script, shaped text, and a name that always fits.

Imported only when a certificate PDF is made: fpdf2, fontTools and segno add to every start-up otherwise.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

import segno
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer
from fpdf import FPDF

if TYPE_CHECKING:
    from tilearn.models import CompletionRecord
    from tilearn.services.certificates import RecordStatus

#: Noto Sans and Noto Sans for the scripts it lacks, as Noto publishes them (manimgx-fonts, OFL)
NOTO = files("manimgx_fonts")
#: WenQuanYi Micro Hei (paperang-p2-fonts-cjk): Chinese, Japanese and Korean in 5 MB, not Noto's 33 MB
CJK = files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"


@dataclass(frozen=True)
class FontFile:
    """A font file fpdf2 can embed: its family name there, the file, and its number in a collection."""

    family: str
    path: Traversable
    number: int = 0


#: every line is set in this: Latin (with Welsh ŵ ŷ and Polish ł), Greek, Cyrillic and Vietnamese
MAIN_FONT = FontFile("noto-sans", NOTO / "NotoSans[wght].ttf")
#: tried in this order for any character Noto Sans lacks. Emoji are drawn in black and white, and a
#: sequence (a family, a rainbow flag) as its separate emoji: fpdf2 shapes each font's run on its own,
#: and the joiner between them is in Noto Sans.
FALLBACK_FONTS = (
    *(
        FontFile(f"noto-sans-{script.lower()}", NOTO / f"NotoSans{script}[wght].ttf")
        for script in (
            "Arabic Hebrew Armenian Georgian Ethiopic Devanagari Bengali Gurmukhi Gujarati Oriya Tamil "
            "Telugu Kannada Malayalam Sinhala Thai Lao Khmer Myanmar Symbols"
        ).split()
    ),
    FontFile("noto-emoji", NOTO / "NotoEmoji[wght].ttf"),
    FontFile("wenquanyi-micro-hei", CJK),
)
#: points: the name's size, the smallest it is set on one line, and the smallest of anything
NAME_SIZE, NAME_ONE_LINE_FLOOR, SMALLEST = 22.0, 14.0, 7.0
INK, BLUE = (11, 12, 12), (29, 112, 184)
HEADING = "Certificate of completion"
WIDTH = 257  #: millimetres of text from the left margin (20 mm) to the right one, inside the border
POINT = 25.4 / 72  #: in millimetres


def characters(path: Traversable, number: int = 0) -> set[int]:
    """The code points a font file has glyphs for (its cmap only is read)."""
    with path.open("rb") as stream:
        return set(TTFont(stream, fontNumber=number, lazy=True).getBestCmap())


def fallbacks_for(text: str) -> list[FontFile]:
    """The fewest fallback fonts, in order, for the characters of text that Noto Sans lacks."""
    missing = {ord(c) for c in text if not c.isspace()} - characters(MAIN_FONT.path)
    chosen = []
    for font in FALLBACK_FONTS:
        if not missing:
            break
        covered = missing & characters(font.path, font.number)
        if covered:
            chosen.append(font)
            missing -= covered
    return chosen


def write_bold(font: FontFile, text: str, folder: Path) -> Path | None:
    """The bold of a variable font, for the characters of text, as a file in folder (None if not variable).

    The shipped Noto fonts are variable fonts whose default is Regular. Cut down to the characters
    first, a bold instance takes a few hundredths of a second; the whole font would take seconds.
    """
    options = subset.Options(notdef_outline=True, name_IDs=["*"])  # fontTools' features: all shaping needs
    path = folder / f"{font.family}-bold.ttf"
    with TTFont(str(font.path), fontNumber=font.number) as bold:
        if "fvar" not in bold:
            return None
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(bold)
        instancer.instantiateVariableFont(bold, {"wght": 700}, inplace=True, static=True)
        bold.save(path)
    return path


class CertificatePDF(FPDF):
    """fpdf2's FPDF with Noto Sans (regular and bold), fallbacks for other scripts, and text shaping."""

    def __init__(self, text: str, folder: Path) -> None:
        """An A4 landscape page with fonts for every character in text; folder holds the bold font."""
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_creator("tilearn")
        fallbacks = fallbacks_for(text)
        for font in (MAIN_FONT, *fallbacks):
            self.add_font(font.family, "", str(font.path), collection_font_number=font.number)
            bold = write_bold(font, text, folder)
            if bold is not None:
                self.add_font(font.family, "B", str(bold))
        self.set_fallback_fonts([font.family for font in fallbacks], exact_match=False)
        self.set_text_shaping(True)  # HarfBuzz: Arabic joined and right to left, Indic scripts composed
        self.add_page()

    def use(self, size: float, bold: bool = False) -> None:
        """Noto Sans at size points, bold or regular (in bold, Chinese, Japanese and Korean stay regular)."""
        self.set_font(MAIN_FONT.family, "B" if bold else "", size)

    def line_at(self, x: float, y: float, height: float, text: str, size: float, bold: bool = False) -> None:
        """One line of text at x, y, made smaller if need be to fit inside the border (a long name)."""
        self.use(size, bold)
        if self.get_string_width(text) > WIDTH:
            self.use(max(SMALLEST, int(size * WIDTH / self.get_string_width(text) * 2) / 2), bold)
        self.set_xy(x, y)
        self.cell(WIDTH, height, text)

    def qr_code(self, url: str, left: float, top: float, size: float) -> None:
        """A QR code for url, drawn as black squares (vector, sharp at any size)."""
        matrix = list(segno.make(url, error="m").matrix_iter(scale=1, border=0))
        cell = size / len(matrix)
        self.set_fill_color(0, 0, 0)
        for row_number, row in enumerate(matrix):
            for column, dark in enumerate(row):
                if dark:
                    self.rect(left + column * cell, top + row_number * cell, cell, cell, style="F")

    def name_block(self, name: str, x: float, y: float, width: float, height: float) -> None:
        """The name in bold on one line, shrunk to fit down to a floor, then wrapped to fit the box."""
        self.use(NAME_SIZE, bold=True)
        size = min(NAME_SIZE, NAME_SIZE * width / max(self.get_string_width(name), 0.001))
        if size >= NAME_ONE_LINE_FLOOR:
            self.use(int(size * 2) / 2, bold=True)  # half points, rounded down
            self.set_xy(x, y + (height - 12) / 2)
            self.cell(width, 12, name)
            return
        size = NAME_ONE_LINE_FLOOR
        while True:
            self.use(size, bold=True)
            line = size * POINT * 1.25
            lines = self.multi_cell(width, line, name, align="L", dry_run=True, output="LINES")
            if len(lines) * line <= height or size <= SMALLEST:
                break
            size -= 0.5
        self.set_xy(x, y + max(0.0, (height - len(lines) * line) / 2))
        self.multi_cell(width, line, name, align="L")


def certificate_pdf(
    record: CompletionRecord, holder: str, organisation: str, verify_url: str, status: RecordStatus
) -> bytes:
    """A real PDF certificate: holder, module, level, version, dates, status and a QR code to verify."""
    title = record.module_title or record.module_id
    details = [
        f"Level: {record.level_name or '-'}",
        f"Module version: {record.module_version}",
        f"Issued: {record.issued_at:%d %B %Y}",
        f"Refresher due: {record.expires_at:%d %B %Y}" if record.expires_at else "Refresher due: not set",
        f"Status: {status.label}",
        f"Verification code: {record.verification_code}",
    ]
    footer = f"Check this certificate, or scan the code: {verify_url}"
    words = "\n".join([organisation, HEADING, holder, title, *details, footer])
    with tempfile.TemporaryDirectory(prefix="tilearn-certificate-") as folder:
        pdf = CertificatePDF(words, Path(folder))
        pdf.set_title(f"Certificate: {title}")
        pdf.set_author(organisation)
        pdf.set_draw_color(*BLUE)
        pdf.set_line_width(1.5)
        pdf.rect(10, 10, 277, 190)
        pdf.set_text_color(*INK)
        pdf.line_at(20, 22, 8, organisation, size=14, bold=True)
        pdf.line_at(20, 45, 14, HEADING, size=30, bold=True)
        pdf.line_at(20, 66, 8, "This is to record that", size=14)
        pdf.name_block(holder, x=20, y=76, width=257, height=18)
        pdf.line_at(20, 96, 8, "completed the module", size=14)
        pdf.use(18, bold=True)
        pdf.set_xy(20, 106)
        pdf.multi_cell(180, 9, title)
        for number, line in enumerate(details):
            pdf.line_at(20, 134 + 8 * number, 7, line, size=12)
        pdf.qr_code(verify_url, left=212, top=118, size=60)
        pdf.line_at(20, 186, 6, footer, size=10)
        return bytes(pdf.output())
