"""Helpers that take a learner through the worked-example fixture module, or give them a record."""

from __future__ import annotations

import json
import re
import secrets

from sqlalchemy import select

from tilearn.extensions import db
from tilearn.models import (
    CompletionRecord,
    DraftAnswers,
    GroundingVisit,
    Pause,
    ReflectionEntry,
    SectionDeferral,
)

MODULE = "/learn/worked-example"
#: a reflection only its writer may ever see (the privacy wall's marker)
MARKER = "PRIVATE-MARKER-5c1e-walked-by-the-canal"


def attempt_key(html: str) -> str:
    """The one-time key of a section's answers form."""
    return re.search(r'name="attempt_key" value="([^"]+)"', html).group(1)


def complete(client) -> None:
    """Read both sections and answer every question rightly."""
    for section, answers in (
        ("survival-responses", {"q-q-five-fs": "0"}),
        ("harder-day", {"q-q-helps": ["0", "1"], "q-q-same": "1"}),
    ):
        page = client.get(f"{MODULE}/{section}?note=continue").get_data(as_text=True)
        client.post(f"{MODULE}/{section}/answers", data={**answers, "attempt_key": attempt_key(page)})
        client.post(f"{MODULE}/{section}/done")


def look_after_myself(app, client, user_id: int) -> None:
    """Everything a learner might do for their own wellbeing, before completing; each must take effect."""
    skipped = client.post(f"{MODULE}/harder-day/choice", data={"choice": "skip"})
    assert skipped.status_code == 302
    paused = client.post(
        "/pause", data={"module_id": "worked-example", "section_id": "harder-day", "q-q-same": "0"}
    )
    from_harder_day = "/grounding?module=worked-example&section=harder-day"
    assert paused.status_code == 302 and paused.headers["Location"].endswith(from_harder_day)
    grounding = client.get(paused.headers["Location"])
    assert grounding.status_code == 200
    assert f"{MODULE}/harder-day?note=continue" in grounding.get_data(as_text=True)  # the way back
    paused_at_note = client.post(f"{MODULE}/harder-day/choice", data={"choice": "pause"})
    assert paused_at_note.status_code == 302 and paused_at_note.headers["Location"].endswith(from_harder_day)
    assert client.get("/grounding").status_code == 200  # the menu's "Take a pause", from elsewhere
    reflected = client.post(f"{MODULE}/harder-day/reflections/r-settle", data={"text": MARKER})
    assert reflected.status_code == 302
    with app.app_context():
        mine = {"user_id": user_id, "module_id": "worked-example"}
        assert db.session.scalars(select(SectionDeferral).filter_by(**mine)).one().section_id == "harder-day"
        pauses = db.session.scalars(select(Pause).filter_by(**mine)).all()
        assert [p.section_id for p in pauses] == ["harder-day", "harder-day"]
        draft = db.session.scalars(select(DraftAnswers).filter_by(**mine)).one()
        assert draft.section_id == "harder-day" and json.loads(draft.answers) == {"q-same": [0]}
        assert db.session.scalars(select(ReflectionEntry).filter_by(**mine)).one().text == MARKER
        visits = db.session.scalars(
            select(GroundingVisit).filter_by(user_id=user_id).order_by(GroundingVisit.id)
        )
        assert [(v.module_id, v.section_id) for v in visits] == [
            ("worked-example", "harder-day"),
            (None, None),
        ]


def make_record(app, user_id: int) -> CompletionRecord:
    """A completion record of the worked example for this person, detached from the session."""
    with app.app_context():
        record = CompletionRecord(
            user_id=user_id,
            module_id="worked-example",
            module_version="1.2",
            content_hash="0" * 64,
            score=100,
            cycle=1,
            verification_code=secrets.token_urlsafe(24),
            module_title="A worked example",
        )
        db.session.add(record)
        db.session.commit()
        db.session.refresh(record)
        db.session.expunge(record)
        return record
