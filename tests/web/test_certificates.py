"""Certificates: issued with expiry, checkable by anyone, real PDFs, refreshers, and my data."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream
from sqlalchemy import select

from tests.conftest import HERE
from tests.support.learning import complete
from tilearn.extensions import db
from tilearn.models import CompletionRecord, User
from tilearn.models.types import utcnow
from tilearn.services import certificate_document, certificates, statuses

MODULE = "/learn/worked-example"


@pytest.fixture
def holder(app, client, make_user, sign_in):
    learner = make_user("learner", name="Priya Holder")
    sign_in(learner)
    complete(client)
    with app.app_context():
        record = db.session.scalar(select(CompletionRecord))
        db.session.expunge(record)
    return learner, record


def set_record(app, record_id: int, **values) -> None:
    with app.app_context():
        record = db.session.get(CompletionRecord, record_id)
        for name, value in values.items():
            setattr(record, name, value)
        db.session.commit()


def test_a_record_is_issued_with_expiry_title_and_level(holder):
    _learner, record = holder
    assert record.module_title == "Noticing stress in ourselves and others"
    assert record.level_name == "Trauma Aware"
    assert record.expires_at == certificates.add_months(record.issued_at, 24)  # the module's refresher_months
    assert len(record.verification_code) >= 32  # 24 random bytes = 192 bits


def test_anyone_can_check_a_valid_certificate(app, holder):
    _learner, record = holder
    page = app.test_client().get(f"/verify/{record.verification_code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for expected in (
        "Priya Holder",
        "Noticing stress in ourselves and others",
        "Trauma Aware",
        "1.2",
        "Demo Council",
        "This is a genuine certificate",
        ">Valid<",
    ):
        assert expected in html, expected


def test_a_flipped_character_or_unknown_code_is_not_found(app, holder):
    _learner, record = holder
    code = record.verification_code
    flipped = code[:-1] + ("A" if code[-1] != "A" else "B")
    for wrong in (flipped, "not-a-code", "x" * 80):
        page = app.test_client().get(f"/verify/{wrong}")
        assert page.status_code == 404 and "could not find that certificate" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "label"),
    [
        ({"revoked_at": utcnow(), "revoked_reason": "issued in error"}, "Revoked"),
        ({"expires_at": utcnow() - timedelta(days=1)}, "Expired"),
        ({"expires_at": utcnow() + timedelta(days=20)}, "Due for refresher"),
    ],
)
def test_revoked_expired_and_due_show_as_such(app, holder, change, label):
    _learner, record = holder
    set_record(app, record.id, **change)
    html = app.test_client().get(f"/verify/{record.verification_code}").get_data(as_text=True)
    assert f">{label}<" in html
    assert ("This is a genuine certificate" in html) == (label == "Due for refresher")


def test_revoking_marks_and_never_deletes(app, holder, make_user):
    _learner, record = holder
    admin = make_user("admin")
    with app.app_context():
        certificates.revoke_record(admin.id, record.id, "issued to the wrong person")
        with pytest.raises(ValueError):
            certificates.revoke_record(admin.id, record.id, "  ")
        kept = db.session.get(CompletionRecord, record.id)
        assert kept.revoked_at is not None and kept.revoked_reason == "issued to the wrong person"


def test_the_certificate_is_a_real_pdf_for_its_holder_only(app, client, holder, make_user, sign_in):
    _learner, record = holder
    response = client.get(f"/certificates/{record.id}.pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", " ", text)
    for expected in (
        "Certificate of completion",
        "Priya Holder",
        "Noticing stress in ourselves and others",
        "Level: Trauma Aware",
        "Module version: 1.2",
        "Status: valid",
        record.verification_code,
        f"/verify/{record.verification_code}",
    ):
        assert expected in text, expected
    other = app.test_client()
    sign_in(make_user(), target=other)
    assert other.get(f"/certificates/{record.id}.pdf").status_code == 404
    assert other.get(f"/certificates/{record.id}").status_code == 404


def test_my_certificates_lists_the_record(client, holder):
    html = client.get("/certificates").get_data(as_text=True)
    assert "Noticing stress in ourselves and others" in html and ">Valid<" in html


def test_an_expired_record_offers_a_refresher_that_adds_a_record(app, client, holder):
    _learner, record = holder
    set_record(app, record.id, expires_at=utcnow() - timedelta(days=1))
    assert "Refresher due" in client.get("/").get_data(as_text=True)
    overview = client.get(MODULE).get_data(as_text=True)
    assert "is due for a refresher" in overview and "Start refresher" in overview
    response = client.post(f"{MODULE}/refresher")
    assert response.headers["Location"].endswith(f"{MODULE}/survival-responses")
    assert "In progress" in client.get("/").get_data(as_text=True)
    complete(client)
    with app.app_context():
        records = db.session.scalars(select(CompletionRecord).order_by(CompletionRecord.cycle)).all()
        assert [r.cycle for r in records] == [1, 2]
        assert records[0].verification_code == record.verification_code  # the first is untouched
        assert records[0].issued_at == record.issued_at
    assert "Completed" in client.get("/").get_data(as_text=True)


def test_a_valid_record_does_not_restart(app, client, holder):
    client.post(f"{MODULE}/refresher")
    with app.app_context():
        assert db.session.scalar(select(CompletionRecord.cycle)) == 1
    assert "Completed" in client.get("/").get_data(as_text=True)


def test_a_material_change_recommends_a_refresher(app, holder):
    from tilearn.engine.versions import VersionInfo, stale_labels

    _learner, record = holder
    with app.app_context():
        history = app.extensions["tilearn.library"].library.history["worked-example"]
        assert [v.label for v in history] == ["1.2"]  # the version served from disk, recorded
        later = VersionInfo("2.0", True, "Rewritten.", None)
        stale = stale_labels((*history, later))
        assert certificates.record_status(db.session.get(CompletionRecord, record.id), stale).key == (
            statuses.RECOMMENDED
        )
        assert certificates.record_status(
            db.session.get(CompletionRecord, record.id), stale_labels(history)
        ).key == (statuses.VALID)


def test_download_all_my_data_includes_private_things(client, holder):
    paused = client.post("/pause", data={"module_id": "worked-example", "section_id": "harder-day"})
    client.get(paused.headers["Location"])
    client.post(f"{MODULE}/harder-day/reflections/r-settle", data={"text": "MARKER-walk-by-the-canal"})
    response = client.get("/my-data")
    assert response.mimetype == "application/json" and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["person"]["name"] == "Priya Holder"
    assert data["reflections"][0]["text"] == "MARKER-walk-by-the-canal"
    assert len(data["pauses"]) == 1 and len(data["completion_records"]) == 1
    (visit,) = data["grounding_page_visits"]
    assert (visit["module_id"], visit["section_id"]) == ("worked-example", "harder-day") and visit[
        "visited_at"
    ]
    assert {a["section_id"] for a in data["quiz_attempts"]} == {"survival-responses", "harder-day"}
    assert "password_hash" not in response.get_data(as_text=True)
    assert "token_hash" not in response.get_data(as_text=True)


def test_the_reports_copy_of_the_current_record_follows_issue_refresher_and_revocation(
    app, client, holder, make_user
):
    learner, record = holder
    admin = make_user("admin")

    def current() -> tuple:
        from tilearn.models import ModuleProgress

        with app.app_context():
            row = db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == learner.id))
            return row.current_record_id, row.current_issued_at, row.current_expires_at, row.current_version

    assert current() == (record.id, record.issued_at, record.expires_at, record.module_version)
    set_record(app, record.id, expires_at=utcnow() - timedelta(days=1))
    client.post(f"{MODULE}/refresher")
    assert current()[0] == record.id  # a refresher in progress leaves the last record counting
    complete(client)
    with app.app_context():
        second = db.session.scalar(select(CompletionRecord).where(CompletionRecord.cycle == 2))
        db.session.expunge(second)
    assert current() == (second.id, second.issued_at, second.expires_at, second.module_version)
    with app.app_context():
        certificates.revoke_record(admin.id, second.id, "Issued in error")
    assert current()[0] == record.id  # the newest record that still stands
    with app.app_context():
        certificates.revoke_record(admin.id, record.id, "Issued in error")
    assert current() == (None, None, None, None)


#: names from issue 8 that came out as "????" on the PDF: Arabic, Chinese, Polish and Welsh
WRITTEN_NAMES = {
    "arabic": "محمد علي",
    "chinese": "王秀英",
    "polish": "Łukasz Wójcik",
    "welsh": "Rhŷs Gŵyn ap Siôn",
}
#: exactly 200 characters, Welsh and Polish letters included
LONG_NAME = ("Angharad Gwenllïan Rhiannon Ŵyn Ŷr Łucja Wójcik-Llewelyn " * 4)[:200]


def certificate_for(app, client, holder, name: str) -> tuple[bytes, str]:
    """The holder's certificate PDF after they changed their name, and its text read back (NFKC)."""
    learner, record = holder
    with app.app_context():
        db.session.get(User, learner.id).name = name
        db.session.commit()
    response = client.get(f"/certificates/{record.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    text = unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))
    return response.data, text


@pytest.mark.parametrize("script", sorted(WRITTEN_NAMES))
def test_the_pdf_prints_a_name_in_any_script_as_written(app, client, holder, script):
    name = WRITTEN_NAMES[script]
    _pdf, text = certificate_for(app, client, holder, name)
    assert "?" not in text  # no character was replaced
    # Control characters dropped: a glyph that only completes a letter (the dots of yeh, drawn
    # apart from its body) has no characters of its own, and pypdf reads it back as its number.
    lines = ["".join(c for c in line if unicodedata.category(c) != "Cc").strip() for line in text.split("\n")]
    if script == "arabic":  # pypdf reads each right-to-left word in order, but the words as drawn
        name = " ".join(reversed(name.split()))
    assert name in lines, lines
    assert "completed the module" in lines  # the line after the name is drawn in a font too


@dataclass
class DrawnString:
    """One string the page shows: its glyphs from left to right, and where it ends."""

    glyphs: list[tuple[int, str]]  #: (glyph code, the characters it stands for)
    right: float  #: the x coordinate, in points, where its last glyph ends


def drawn_strings(pdf: bytes) -> list[DrawnString]:
    """Every string the page shows, with its glyphs read through the fonts' ToUnicode and widths."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = {}
    for name, font in page["/Resources"]["/Font"].items():
        font = font.get_object()
        cmap = font.get("/ToUnicode")
        text = cmap.get_object().get_data().decode("latin-1") if cmap else ""
        to_unicode = {
            int(code, 16): bytes.fromhex(chars).decode("utf-16-be")
            for code, chars in re.findall(r"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>", text)
        }
        if "/DescendantFonts" not in font:  # a core font, one byte a character: not expected here
            fonts[name] = ({}, {}, 1)
            continue
        widths, entries = {}, list(font["/DescendantFonts"][0].get_object().get("/W", []))
        while entries:  # [first [w w …]] or [first last w]
            first, rest = int(entries.pop(0)), entries.pop(0)
            if isinstance(rest, list):
                widths.update({first + n: float(w) for n, w in enumerate(rest)})
            else:
                widths.update(dict.fromkeys(range(first, int(rest) + 1), float(entries.pop(0))))
        fonts[name] = (to_unicode, widths, 2)
    strings, font, size, x, line_x = [], None, 0.0, 0.0, 0.0
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Tf":
            font, size = operands[0], float(operands[1])
        elif operator == b"BT":
            x = line_x = 0.0
        elif operator == b"Td":
            x = line_x = line_x + float(operands[0])
        elif operator == b"Tm":
            x = line_x = float(operands[4])
        elif operator == b"Tj":
            raw = operands[0]
            raw = raw.get_original_bytes() if hasattr(raw, "get_original_bytes") else bytes(raw)
            to_unicode, widths, step = fonts[font]
            codes = [int.from_bytes(raw[i : i + step], "big") for i in range(0, len(raw), step)]
            x += sum(widths.get(code, 0.0) for code in codes) * size / 1000
            strings.append(DrawnString([(code, to_unicode.get(code, "")) for code in codes], x))
    return strings


def test_an_arabic_name_is_drawn_right_to_left_and_joined(app, client, holder):
    pdf, _text = certificate_for(app, client, holder, WRITTEN_NAMES["arabic"])
    word = "محمد"  # meem, hah, meem, dal
    drawn = [s.glyphs for s in drawn_strings(pdf) if "".join(c for _code, c in s.glyphs)[::-1] == word]
    # Right to left: the string is drawn dal first (leftmost) and the first meem last (rightmost).
    assert len(drawn) == 1, drawn_strings(pdf)
    codes = [code for code, _c in drawn[0]][::-1]
    # Joined: the first meem (initial form) and the second (medial form) are different glyphs.
    assert codes[0] != codes[2], codes


def test_a_200_character_name_fits_on_the_one_page(app, client, holder):
    assert len(LONG_NAME) == 200
    pdf, text = certificate_for(app, client, holder, LONG_NAME)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert "".join(LONG_NAME.split()) in "".join(text.split())
    # Nothing runs past the border on the right (277 mm from the left edge of the page).
    assert max(drawn.right for drawn in drawn_strings(pdf)) <= 277 * 72 / 25.4
    # The lines below the name are still there.
    for expected in ("completed the module", "Noticing stress in ourselves and others", "Verification code"):
        assert expected in text


def test_the_pdf_library_and_fonts_are_loaded_only_when_a_certificate_is_made(tmp_path):
    started = (
        "import sys; from pathlib import Path; from tests.conftest import base_config; "
        "from tilearn import create_app; "
        f"create_app(base_config(Path({str(tmp_path)!r}), 'sqlite://')); "
        "print(sorted(m for m in ('fpdf', 'fontTools', 'uharfbuzz', 'segno', "
        "'tilearn.services.certificate_document') if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", started], cwd=HERE.parent, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"


def test_an_emoji_prints_as_a_plain_replacement_character(app, client, holder, caplog):
    # No emoji font is shipped: each emoji, or emoji sequence, prints as U+FFFD and is logged.
    name = "Sam 🌈 Jones 👨‍👩‍👧 🇬🇧 👍🏽"
    _pdf, text = certificate_for(app, client, holder, name)
    assert "Sam \ufffd Jones \ufffd \ufffd \ufffd" in text.split("\n")
    assert "?" not in text
    assert "U+1F308" in caplog.text and "printed as U+FFFD" in caplog.text


#: a name in each script a shipped font is there for, and the font it needs
SCRIPTS = {
    "Ζωή Παπαδοπούλου Ольга Іваненко Nguyễn Thị Hương": None,
    "عمران خان ٹڈڑںے": "noto-naskh-arabic",
    "שרה לוי": "noto-sans-hebrew",
    "प्रिया शर्मा": "noto-sans-devanagari",
    "সুমাইয়া বেগম": "noto-sans-bengali",
    "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ": "noto-sans-gurmukhi",
    "ગીતા પટેલ": "noto-sans-gujarati",
    "தமிழ்செல்வி": "noto-sans-tamil",
    "สมชาย ใจดี": "noto-sans-thai",
    "王秀英 김민준 さくら": "droid-sans-fallback",
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_shipped_script_has_its_font(name):
    choice = certificate_document.fonts_for(name)
    assert [font.family for font in choice.fallbacks] == ([SCRIPTS[name]] if SCRIPTS[name] else [])
    assert not choice.uncovered


FONTS = HERE.parent / "tilearn" / "fonts"


def listed_fonts() -> dict[str, tuple[int, str]]:
    """The font files tilearn/fonts/README.md lists: name to (bytes, SHA-256)."""
    rows = re.findall(
        r"^\| (\S+\.ttf) \| ([\d,]+) \| ([0-9a-f]{64}) \|", (FONTS / "README.md").read_text(), re.MULTILINE
    )
    return {name: (int(size.replace(",", "")), sha256) for name, size, sha256 in rows}


def test_every_font_file_is_listed_with_its_sha256():
    listed = listed_fonts()
    assert len(listed) >= 10
    assert sorted(listed) == sorted(path.name for path in FONTS.iterdir() if path.suffix == ".ttf")
    for name, (size, sha256) in listed.items():
        data = (FONTS / name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, sha256), name
    for licence in ("fonts-noto-core.copyright", "fonts-droid-fallback.copyright", "Apache-2.0.txt"):
        assert (FONTS / licence).stat().st_size > 1000, licence


def test_the_certificate_uses_only_the_fonts_in_tilearn_fonts():
    listed = listed_fonts()
    fonts = (certificate_document.MAIN_FONT, *certificate_document.FALLBACK_FONTS)
    for font in fonts:
        for path in font.paths:
            assert Path(str(path)).resolve().parent == FONTS.resolve() and path.name in listed, path
    # A certificate needing every fallback font loads only files from tilearn/fonts.
    choice = certificate_document.fonts_for("".join(SCRIPTS) + "→")
    assert choice.fallbacks == list(certificate_document.FALLBACK_FONTS)
    pdf = certificate_document.CertificatePDF(choice.fallbacks)
    loaded = {Path(str(font.ttffile)).resolve() for font in pdf.fonts.values()}
    pdf.close_fonts()
    assert loaded == {Path(str(path)).resolve() for font in fonts for path in font.paths}
    assert all(path.parent == FONTS.resolve() for path in loaded)
