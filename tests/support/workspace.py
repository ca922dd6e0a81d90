"""Module texts and zips for the workspace tests: a clean module, and one with three mistakes."""

from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import csrf_token
from tilearn.extensions import db
from tilearn.models import AuditEvent
from tilearn.models.drafts import ModuleDraft

NEW_ID = "aware-listening-well"
#: the smallest real PNG: one transparent pixel
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def module_text(version: str = "1.0", module_id: str = NEW_ID, body: str | None = None, **front: str) -> str:
    """A small module that passes the checker, with a picture from images/ when asked."""
    fields = {
        "id": module_id,
        "title": "Listening well",
        "level": "aware",
        "version": f'"{version}"',
        "summary": "How to listen so people feel heard.",
        "minutes": "2",
        "framework": "West Midlands Trauma Informed Workforce Learning and Development Framework",
    }
    fields.update(front)
    head = "\n".join(f"{k}: {v}" for k, v in fields.items())
    body = body if body is not None else BODY
    return (
        f"---\n{head}\noutcomes:\n  - theme: knowledge-and-awareness\n"
        f"    text: Listen so people feel heard.\n---\nWelcome.\n\n{body}"
    )


BODY = """## Hearing people {#hearing}

Listening well means giving someone your full attention.

::: single-choice {#q-listen}
What helps someone feel heard?

- [x] Giving them your full attention
  Yes. Attention tells people they matter.
- [ ] Planning your answer while they talk
  That splits your attention, and people notice.
- [ ] Offering advice as soon as you can
  Advice can wait; first let them finish.
:::

## Pausing {#pausing}

Silence can give people room to think.
"""

#: three mistakes, each an error at a known line of module_text(body=MISTAKES)
MISTAKES = """## Hearing people {#hearing}

You failed this one if you interrupted.

::: single-choice {#q-listen}
What helps someone feel heard?

- [ ] Giving them your full attention
  Attention tells people they matter.
- [ ] Planning your answer while they talk
  That splits your attention, and people notice.
- [ ] Offering advice as soon as you can
  Advice can wait; first let them finish.
:::

## Pausing {#pausing}

::: reflection {#r-pause}
When did silence help you?
"""


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line containing fragment."""
    return next(n for n, line in enumerate(text.split("\n"), 1) if fragment in line)


def zipped(files: dict[str, bytes | str]) -> bytes:
    """A zip holding these files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def fix_mistakes(text: str) -> str:
    """The MISTAKES module with its three errors put right."""
    text = text.replace(
        "You failed this one if you interrupted.", "It is easy to interrupt without noticing."
    )
    text = text.replace(
        "- [ ] Giving them your full attention\n  Attention",
        "- [x] Giving them your full attention\n  Yes. Attention",
    )
    return re.sub(r"When did silence help you\?\n?$", "When did silence help you?\n:::\n", text)


def upload(site, name: str, data: bytes | str):
    """Send a file to the upload form (encoded here: the test client leaves a large body's file open)."""
    raw = data.encode() if isinstance(data, str) else data
    token = csrf_token(site.text("/author/upload"))
    boundary, encoded = encode_multipart({"csrf_token": token, "file": FileStorage(io.BytesIO(raw), name)})
    return site.client.post(
        "/author/upload", data=encoded, content_type=f"multipart/form-data; boundary={boundary}"
    )


def draft_row(app, module_id: str = NEW_ID):
    with app.app_context():
        draft = db.session.get(ModuleDraft, module_id)
        db.session.expunge_all()
        return draft


def actions(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.action, e.subject) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
