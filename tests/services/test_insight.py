"""The insight service's SQL sums give the hand-worked item analysis, counting only current first answers."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from tilearn.extensions import db
from tilearn.models import ModuleProgress, QuestionResult, SectionView
from tilearn.services import insight_totals
from tilearn.services.insight import module_insight
from tilearn.web.library_state import current_library

# The hand-worked example of tests/engine/test_insight.py: five learners, right first time or not.
FIRSTS = {"q-five-fs": [1, 1, 1, 0, 0], "q-helps": [1, 1, 0, 1, 0], "q-same": [1, 0, 0, 0, 0]}


def test_item_analysis_and_section_times_from_the_database(app, make_user):
    people = [make_user("learner") for _ in range(5)]
    with app.app_context():
        module = current_library().get("worked-example")
        prints = {q.id: q.fingerprint for s in module.sections for q in s.questions}
        started = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        for n, person in enumerate(people):
            db.session.add(ModuleProgress(user_id=person.id, module_id=module.id, started_at=started))
            for question_id, firsts in FIRSTS.items():
                db.session.add(
                    QuestionResult(
                        user_id=person.id,
                        module_id=module.id,
                        question_id=question_id,
                        correct=True,
                        first_correct=bool(firsts[n]),
                        fingerprint=prints[question_id],
                    )
                )
            # 2, 4, 6, 8, 10 minutes (median 6); the second section 3 minutes after for everyone
            first_seen = started + timedelta(minutes=2 * (n + 1), seconds=20)
            for section_id, at in (
                ("survival-responses", first_seen),
                ("harder-day", first_seen + timedelta(minutes=3)),
            ):
                db.session.add(
                    SectionView(user_id=person.id, module_id=module.id, section_id=section_id, seen_at=at)
                )
        stale = make_user("learner")
        db.session.add(ModuleProgress(user_id=stale.id, module_id=module.id, started_at=started))
        # Answers to an earlier wording, or with no first answer recorded, are not counted.
        db.session.add(
            QuestionResult(
                user_id=stale.id,
                module_id=module.id,
                question_id="q-five-fs",
                correct=True,
                first_correct=False,
                fingerprint="0" * 16,
            )
        )
        db.session.add(
            QuestionResult(
                user_id=stale.id,
                module_id=module.id,
                question_id="q-same",
                correct=True,
                first_correct=None,
                fingerprint=prints["q-same"],
            )
        )
        db.session.commit()

        insight_totals.recount(module)
        found = module_insight(module)
        stats = {q.question_id: q.stats for q in found.questions}
        assert found.learners == 6
        assert stats["q-five-fs"].answered == 5 and stats["q-five-fs"].facility == pytest.approx(0.6)
        assert stats["q-five-fs"].discrimination == pytest.approx(3 / math.sqrt(84))
        assert stats["q-same"].answered == 5 and stats["q-same"].facility == pytest.approx(0.2)
        times = {row.section_id: row.median_minutes for row in found.sections}
        assert times == {"survival-responses": 6, "harder-day": 3}
