"""Concurrency: double submits, two tabs and many writers never lose or duplicate anything."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from tests.conftest import write_module
from tilearn.engine import load_library
from tilearn.engine.levels import load_scheme
from tilearn.extensions import db
from tilearn.models import CompletionRecord, ModuleProgress, QuizAttempt, ReflectionEntry, SectionView
from tilearn.services import completion, progress, quizzes, reflections
from tilearn.web.library_state import current_library

THREADS = 20


def run_together(app, count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run work(i) in `count` threads released at the same moment; return their errors."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                work(i)
            except BaseException as error:  # noqa: BLE001 - collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def worked_example(app):
    with app.app_context():
        return current_library().get("worked-example")


def test_a_quiz_submitted_twice_at_once_records_one_attempt(app, make_user, worked_example):
    learner = make_user()
    section = worked_example.sections[0]

    def submit(_i):
        quizzes.submit_answers(learner.id, worked_example, section, {"q-five-fs": [0]}, "same-key")

    assert run_together(app, 8, submit) == []
    with app.app_context():
        assert count(QuizAttempt) == 1


def test_concurrent_completion_creates_exactly_one_record(app, make_user, worked_example):
    learner = make_user()
    with app.app_context():
        for number, section in enumerate(worked_example.sections):
            answers = {q.id: sorted(q.correct_choices()) for q in section.questions}
            quizzes.submit_answers(learner.id, worked_example, section, answers, f"key-{number}")
            progress.record_section_seen(learner.id, worked_example, section.id)
        db.session.query(CompletionRecord).delete()  # only in this test: start the race from nothing
        db.session.commit()

    assert run_together(app, 10, lambda _i: completion.complete_module(learner.id, worked_example)) == []
    with app.app_context():
        assert count(CompletionRecord) == 1


def test_two_tabs_never_move_progress_backwards(app, make_user, worked_example):
    learner = make_user()
    with app.app_context():
        progress.record_section_seen(learner.id, worked_example, "harder-day")  # newer tab, further on
        progress.record_section_seen(learner.id, worked_example, "survival-responses")  # older tab
        row = db.session.scalar(select(ModuleProgress))
        assert row.furthest_index == 1
        assert progress.module_state(learner.id, worked_example).seen == {"survival-responses", "harder-day"}


def test_many_writers_for_one_learner_lose_nothing(app, make_user, tmp_path):
    body = "".join(
        f"## Part {i} {{#part-{i}}}\n\nText.\n\n::: reflection {{#r-{i}}}\nWhat do you notice?\n:::\n\n"
        for i in range(THREADS)
    )
    write_module(tmp_path / "mods" / "twenty-parts", body=body)
    module = load_library([tmp_path / "mods"], load_scheme()).get("twenty-parts")
    learner = make_user()

    def write(i):
        progress.record_section_seen(learner.id, module, f"part-{i}")
        reflections.save_reflection(learner.id, module.id, f"r-{i}", f"note {i}")

    assert run_together(app, THREADS, write) == []
    with app.app_context():
        assert count(SectionView) == THREADS
        assert count(ReflectionEntry) == THREADS
        assert db.session.scalar(select(ModuleProgress.furthest_index)) == THREADS - 1
        assert reflections.reflections_for(learner.id, module.id) == {
            f"r-{i}": f"note {i}" for i in range(THREADS)
        }


def test_a_post_takes_sqlites_write_lock_only_for_transactions_that_write(app, client, make_user, sign_in):
    from sqlalchemy import event

    from tilearn import database

    sign_in(make_user())
    transactions: list[tuple[bool, list[str]]] = []  # (took the write lock, statements)

    def began(_connection) -> None:
        transactions.append((database._needs_write_lock(), []))

    def statement(_conn, _cursor, sql: str, *_args) -> None:
        if transactions:
            transactions[-1][1].append(sql.lstrip().split()[0].upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "begin", began)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        for section in ("survival-responses", "harder-day"):
            assert client.post(f"/learn/worked-example/{section}/done").status_code == 302
    finally:
        event.remove(engine, "begin", began)
        event.remove(engine, "before_cursor_execute", statement)
    writes = {"INSERT", "UPDATE", "DELETE"}
    if engine.dialect.name != "sqlite":  # no write lock to take: each POST is one transaction
        assert len(transactions) == 2 and all(writes & set(sqls) for _i, sqls in transactions), transactions
        return
    locked = [sqls for immediate, sqls in transactions if immediate]
    # One write transaction per POST, begun IMMEDIATE (writing()); nothing writes in any other.
    assert len(locked) == 2 and all(writes & set(sqls) for sqls in locked), transactions
    assert not any(writes & set(sqls) for immediate, sqls in transactions if not immediate), transactions
    assert any(not immediate and "SELECT" in sqls for immediate, sqls in transactions)  # the user loader
