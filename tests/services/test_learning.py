"""Service rules for progress, quizzes, completion and reflections."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tilearn.extensions import db
from tilearn.models import CompletionRecord, DraftAnswers, Pause
from tilearn.services import completion, progress, quizzes, reflections
from tilearn.web.library_state import current_library


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield current_library().get("worked-example")


def test_answers_are_cleaned_against_the_section(ctx):
    section = ctx.sections[0]
    raw = {"q-q-five-fs": ["0", "1", "7", "x"], "q-not-a-question": ["0"]}  # form field names
    assert quizzes.clean_answers(section, raw) == {"q-five-fs": [0]}  # single choice keeps one


def test_completion_needs_every_required_section_and_the_pass_mark(ctx, make_user):
    learner = make_user()
    first, second = ctx.sections
    quizzes.submit_answers(learner.id, ctx, first, {"q-five-fs": [0]}, "k1")
    quizzes.submit_answers(learner.id, ctx, second, {"q-helps": [0, 1], "q-same": [1]}, "k2")
    assert completion.complete_module(learner.id, ctx) is None  # nothing read yet
    progress.record_section_seen(learner.id, ctx, first.id)
    record = completion.complete_module(learner.id, ctx)  # second section is optional
    assert record is not None and record.score == 100
    assert len(record.verification_code) >= 32  # 24 random bytes, base64url
    assert completion.complete_module(learner.id, ctx).id == record.id  # idempotent
    assert db.session.scalar(select(func.count()).select_from(CompletionRecord)) == 1


def test_below_the_pass_mark_no_record_is_issued(ctx, make_user):
    learner = make_user()
    first, second = ctx.sections
    quizzes.submit_answers(learner.id, ctx, first, {"q-five-fs": [1]}, "k1")
    quizzes.submit_answers(learner.id, ctx, second, {"q-helps": [0], "q-same": [1]}, "k2")
    for section in ctx.sections:
        progress.record_section_seen(learner.id, ctx, section.id)
    assert quizzes.module_score(learner.id, ctx) == 0  # only the required section's question counts
    assert completion.complete_module(learner.id, ctx) is None
    quizzes.submit_answers(learner.id, ctx, first, {"q-five-fs": [0]}, "k3")  # retry, no penalty
    quizzes.submit_answers(learner.id, ctx, second, {"q-helps": [0, 1], "q-same": [1]}, "k4")
    assert completion.complete_module(learner.id, ctx).score == 100


def test_a_pause_keeps_the_place_and_unchecked_answers(ctx, make_user):
    learner = make_user()
    progress.take_pause(learner.id, ctx.id, "survival-responses", {"q-five-fs": [1]})
    assert progress.last_pause(learner.id).section_id == "survival-responses"
    assert progress.load_draft(learner.id, ctx.id, "survival-responses") == {"q-five-fs": [1]}
    quizzes.submit_answers(learner.id, ctx, ctx.sections[0], {"q-five-fs": [0]}, "k")
    assert db.session.scalar(select(func.count()).select_from(DraftAnswers)) == 0
    assert db.session.scalar(select(func.count()).select_from(Pause)) == 1


def test_reflections_are_saved_replaced_and_deleted(ctx, make_user):
    learner, other = make_user(), make_user()
    reflections.save_reflection(learner.id, ctx.id, "r-settle", "A walk.")
    reflections.save_reflection(learner.id, ctx.id, "r-settle", "A walk and tea.")
    assert reflections.reflections_for(learner.id, ctx.id) == {"r-settle": "A walk and tea."}
    assert reflections.reflections_for(other.id, ctx.id) == {}
    reflections.save_reflection(learner.id, ctx.id, "r-settle", "   ")
    assert reflections.reflections_for(learner.id, ctx.id) == {}


def test_skipping_for_now_is_undone_by_reading(ctx, make_user):
    learner = make_user()
    progress.defer_section(learner.id, ctx, "harder-day")
    assert progress.module_state(learner.id, ctx).deferred == {"harder-day"}
    progress.record_section_seen(learner.id, ctx, "harder-day")
    state = progress.module_state(learner.id, ctx)
    assert state.deferred == set() and "harder-day" in state.seen


def test_questions_in_optional_sections_are_practice(ctx, make_user):
    assert quizzes.scored_questions(ctx) == {"q-five-fs"}
    learner = make_user()
    quizzes.submit_answers(learner.id, ctx, ctx.sections[0], {"q-five-fs": [0]}, "k1")
    quizzes.submit_answers(learner.id, ctx, ctx.sections[1], {"q-helps": [0], "q-same": [0]}, "k2")
    assert quizzes.module_score(learner.id, ctx) == 100


def test_a_module_with_sections_left_to_read_is_ruled_out_in_one_query(ctx, make_user):
    from sqlalchemy import event

    learner = make_user()
    statements: list[str] = []

    def count(_conn, _cursor, sql: str, *_args) -> None:
        statements.append(sql)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert completion.complete_module(learner.id, ctx) is None  # the required section is unread
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
