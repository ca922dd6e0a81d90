"""The certificate as a PDF: fonts shipped in tilearn/fonts for most scripts, shaped text, a name that fits.

Imported only when a certificate PDF is made: fpdf2 (with fontTools), uharfbuzz and segno add to every
start-up otherwise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, cast

import segno
import uharfbuzz
from fpdf import FPDF

if TYPE_CHECKING:
    from tilearn.models import CompletionRecord
    from tilearn.services.certificates import RecordStatus

log = logging.getLogger("tilearn.certificates")
#: the font files, unmodified from Debian's packages: see tilearn/fonts/README.md
FONTS = files("tilearn") / "fonts"


@dataclass(frozen=True)
class FontFile:
    """A font fpdf2 can embed: its family name there, and its files in tilearn/fonts (bold, if any)."""

    family: str
    regular: str
    bold: str | None = None

    @property
    def path(self) -> Traversable:
        """The regular font file."""
        return FONTS / self.regular

    @property
    def paths(self) -> list[Traversable]:
        """Every file of the font, regular first."""
        return [FONTS / name for name in (self.regular, self.bold) if name]


def noto(family: str, name: str, bold: bool = True) -> FontFile:
    """A Noto font from Debian's fonts-noto-core: Noto<name>-Regular.ttf, and -Bold.ttf if bold."""
    return FontFile(family, f"Noto{name}-Regular.ttf", f"Noto{name}-Bold.ttf" if bold else None)


#: every line is set in this: Latin (with Welsh ŵ ŷ and Polish ł), Greek, Cyrillic and Vietnamese
MAIN_FONT = noto("noto-sans", "Sans")
#: tried in this order for any character Noto Sans lacks. A fallback without a bold is used for bold
#: text too (Noto Sans Symbols; Chinese, Japanese and Korean stay regular).
FALLBACK_FONTS = (
    noto("noto-naskh-arabic", "NaskhArabic"),  # Arabic, Urdu, Persian, Pashto, Kurdish
    noto("noto-sans-hebrew", "SansHebrew"),
    noto("noto-sans-devanagari", "SansDevanagari"),  # Hindi, Marathi, Nepali
    noto("noto-sans-bengali", "SansBengali"),  # Bengali (Bangla), Assamese
    noto("noto-sans-gurmukhi", "SansGurmukhi"),  # Punjabi
    noto("noto-sans-gujarati", "SansGujarati"),
    noto("noto-sans-tamil", "SansTamil"),
    noto("noto-sans-thai", "SansThai"),
    noto("noto-sans-symbols", "SansSymbols", bold=False),
    #: Chinese, Japanese and Korean: all 20,902 CJK Unified Ideographs of Unicode 4, Hangul, kana
    FontFile("droid-sans-fallback", "DroidSansFallback.ttf"),
)
#: printed for a character no font has (an emoji, a script not shipped), so it is plainly missing
REPLACEMENT = "\ufffd"
#: Unicode's default-ignorable code points (joiners, variation selectors, bidi marks, tags): HarfBuzz
#: draws nothing for them, so they are never "missing"
IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
ZWJ, KEYCAP = 0x200D, 0x20E3
SKIN_TONES, REGIONAL_INDICATORS = (0x1F3FB, 0x1F3FF), (0x1F1E6, 0x1F1FF)
#: points: the name's size, the smallest it is set on one line, and the smallest of anything
NAME_SIZE, NAME_ONE_LINE_FLOOR, SMALLEST = 22.0, 14.0, 7.0
INK, BLUE = (11, 12, 12), (29, 112, 184)
HEADING = "Certificate of completion"
WIDTH = 257  #: millimetres of text from the left margin (20 mm) to the right one, inside the border
POINT = 25.4 / 72  #: in millimetres


def within(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    """Whether code is in one of the (first, last) ranges."""
    return any(first <= code <= last for first, last in ranges)


def characters(font: FontFile) -> uharfbuzz.Set:
    """The code points a font's regular file has glyphs for (its cmap, read by HarfBuzz)."""
    return uharfbuzz.Face(uharfbuzz.Blob(font.path.read_bytes())).unicodes  # read whole: no file left open


@dataclass(frozen=True)
class FontChoice:
    """The fallback fonts a text needs, and the characters of it that no shipped font has."""

    fallbacks: list[FontFile]
    uncovered: frozenset[int]


def fonts_for(text: str) -> FontChoice:
    """The fewest fallback fonts, in order, for the characters of text that Noto Sans lacks."""
    needed = {ord(c) for c in text if not c.isspace() and not within(ord(c), IGNORABLE)}
    main = characters(MAIN_FONT)
    missing = {code for code in needed if code not in main}
    chosen = []
    for font in FALLBACK_FONTS:
        if not missing:
            break
        has = characters(font)
        covered = {code for code in missing if code in has}
        if covered:
            chosen.append(font)
            missing -= covered
    return FontChoice(chosen, frozenset(missing))


def printable(text: str, uncovered: frozenset[int]) -> str:
    """text with each character no font has replaced by REPLACEMENT, once for an emoji sequence.

    A sequence (a family joined by zero-width joiners, a skin tone, a flag's two letters, a keycap,
    a variation selector) becomes one REPLACEMENT, not one for each of its parts.
    """
    if not uncovered:
        return text
    out: list[str] = []
    replacing = after_joiner = False
    flag_letters = 0
    for character in text:
        code = ord(character)
        regional = within(code, (REGIONAL_INDICATORS,))
        if replacing and (
            within(code, IGNORABLE)
            or within(code, (SKIN_TONES,))
            or code == KEYCAP
            or (after_joiner and code in uncovered)
            or (regional and flag_letters == 1)
        ):
            after_joiner = code == ZWJ
            flag_letters = 2 if regional else flag_letters
            continue
        replacing = code in uncovered
        after_joiner = False
        flag_letters = 1 if regional and replacing else 0
        out.append(REPLACEMENT if replacing else character)
    return "".join(out)


def use_fonts(pdf: FPDF, fallbacks: list[FontFile]) -> None:
    """Noto Sans and the given fallback fonts (regular and bold), from tilearn/fonts only, text shaped."""
    pdf.set_creator("tilearn")
    for font in (MAIN_FONT, *fallbacks):
        pdf.add_font(font.family, "", str(font.path))
        if font.bold:
            pdf.add_font(font.family, "B", str(FONTS / font.bold))
    pdf.set_fallback_fonts([font.family for font in fallbacks], exact_match=False)
    pdf.set_text_shaping(True)  # HarfBuzz: Arabic joined and right to left, Indic scripts composed


class CertificatePDF(FPDF):
    """fpdf2's FPDF with Noto Sans (regular and bold), fallbacks for other scripts, and text shaping."""

    def __init__(self, fallbacks: list[FontFile]) -> None:
        """An A4 landscape page with Noto Sans and the given fallback fonts, from tilearn/fonts only."""
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.set_auto_page_break(False)
        use_fonts(self, fallbacks)
        self.add_page()

    def close_fonts(self) -> None:
        """Close every font file: fpdf2 closes only those it drew with, and only on output."""
        for font in self.fonts.values():
            ttfont = getattr(font, "ttfont", None)  # core fonts have none
            if ttfont is not None:
                ttfont.close()

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
            # output="LINES" gives the lines; fpdf2's return type is a union of every output kind.
            lines = cast(
                list[str], self.multi_cell(width, line, name, align="L", dry_run=True, output="LINES")
            )
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
        f"Status: {status.key}",
        f"Verification code: {record.verification_code}",
    ]
    footer = f"Check this certificate, or scan the code: {verify_url}"
    choice = fonts_for("\n".join([organisation, HEADING, holder, title, *details, footer]))
    if choice.uncovered:
        missing = ", ".join(f"U+{code:04X}" for code in sorted(choice.uncovered))
        log.warning("certificate %s: no shipped font has %s; printed as U+FFFD", record.id, missing)

    def shown(text: str) -> str:
        return printable(text, choice.uncovered)

    pdf = CertificatePDF(choice.fallbacks)
    pdf.set_title(f"Certificate: {title}")
    pdf.set_author(organisation)
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_text_color(*INK)
    pdf.line_at(20, 22, 8, shown(organisation), size=14, bold=True)
    pdf.line_at(20, 45, 14, HEADING, size=30, bold=True)
    pdf.line_at(20, 66, 8, "This is to record that", size=14)
    pdf.name_block(shown(holder), x=20, y=76, width=257, height=18)
    pdf.line_at(20, 96, 8, "completed the module", size=14)
    pdf.use(18, bold=True)
    pdf.set_xy(20, 106)
    pdf.multi_cell(180, 9, shown(title))
    for number, line in enumerate(details):
        pdf.line_at(20, 134 + 8 * number, 7, shown(line), size=12)
    pdf.qr_code(verify_url, left=212, top=118, size=60)
    pdf.line_at(20, 186, 6, shown(footer), size=10)
    try:
        return bytes(pdf.output())
    finally:
        pdf.close_fonts()
