"""Migrations build the schema on every database, and upgrading keeps everyone's data."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from tilearn.extensions import db
from tilearn.models import CompletionRecord, ModuleProgress, User, UserRole, UserSession
from tilearn.models.types import utcnow
from tilearn.services import completion, passwords, people, progress, quizzes
from tilearn.web.library_state import current_library

FIRST = "47df045864f8"


def test_upgrading_from_the_first_schema_keeps_data(app, make_user):
    learner = make_user("learner", "manager")
    with app.app_context():
        module = current_library().get("worked-example")
        for number, section in enumerate(module.sections):
            answers = {q.id: sorted(q.correct_choices()) for q in section.questions}
            quizzes.submit_answers(learner.id, module, section, answers, f"k{number}")
            progress.record_section_seen(learner.id, module, section.id)
        assert completion.complete_module(learner.id, module) is not None
        db.session.remove()  # end this test's transaction before the schema changes
        downgrade(revision=FIRST)
        assert "teams" not in inspect(db.engine).get_table_names()
        upgrade()
        assert "teams" in inspect(db.engine).get_table_names()
        db.session.expire_all()
        assert db.session.get(User, learner.id).roles == {"learner", "manager"}
        for model in (UserRole, ModuleProgress, CompletionRecord):
            assert db.session.scalar(select(func.count()).select_from(model)) >= 1, model
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0  # none were made
        record = db.session.scalar(select(CompletionRecord))
        row = db.session.scalar(select(ModuleProgress))
        assert (row.current_record_id, row.current_expires_at) == (record.id, record.expires_at)  # backfilled


def test_upgrading_gives_a_record_without_progress_a_progress_row(app, make_user):
    learner = make_user("learner")
    with app.app_context():
        db.session.remove()
        downgrade(revision="98784baa335b")
        with db.engine.begin() as connection:
            connection.execute(
                CompletionRecord.__table__.insert().values(
                    user_id=learner.id,
                    module_id="worked-example",
                    module_version="1.2",
                    content_hash="0" * 64,
                    score=100,
                    cycle=1,
                    verification_code="made-before-the-upgrade",
                    issued_at=utcnow(),
                )
            )
        upgrade()
        row = db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == learner.id))
        record = db.session.scalar(select(CompletionRecord).where(CompletionRecord.user_id == learner.id))
        assert (row.module_id, row.current_record_id, row.current_version) == (
            "worked-example",
            record.id,
            "1.2",
        )


def test_upgrading_to_sign_in_counters_and_password_links(app, make_user):
    learner = make_user("learner")
    with app.app_context():
        db.session.remove()
        downgrade(revision="e8245af69628")
        tables = inspect(db.engine).get_table_names()
        assert (
            "login_attempts" in tables and "sign_in_counters" not in tables and "password_links" not in tables
        )
        upgrade()
        tables = inspect(db.engine).get_table_names()
        assert "login_attempts" not in tables and {"sign_in_counters", "password_links"} <= set(tables)
        made = people.create_password_link(learner.id, learner.id)
        assert passwords.person_for_link(made.token).id == learner.id


def test_the_models_match_the_migrations(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, db.metadata) == []


def test_upgrading_puts_every_records_version_in_the_history(app, make_user):
    from tilearn.models import ModuleVersion
    from tilearn.web.library_state import build_library

    learner = make_user("learner")
    with app.app_context():
        db.session.remove()
        downgrade(revision="d21e8744bb59")
        with db.engine.begin() as connection:
            for cycle, version in ((1, "1.1"), (2, "1.2"), (3, "1.2")):
                connection.execute(
                    CompletionRecord.__table__.insert().values(
                        user_id=learner.id,
                        module_id="worked-example",
                        module_version=version,
                        content_hash="0" * 64,
                        score=100,
                        cycle=cycle,
                        verification_code=f"before-the-upgrade-{cycle}",
                        issued_at=utcnow(),
                    )
                )
        upgrade()
        rows = db.session.scalars(select(ModuleVersion).order_by(ModuleVersion.version)).all()
        assert [(r.version, r.source, r.material, r.markdown) for r in rows] == [
            ("1.1", "file", False, None),
            ("1.2", "file", False, None),
        ]
        db.session.rollback()  # end this test's read, so it sees what building the library wrote
        state = build_library(app)  # serving 1.2 from disk fills in its text, once
        filled = db.session.scalar(select(ModuleVersion).where(ModuleVersion.version == "1.2"))
        assert (
            filled.markdown.startswith("---")
            and filled.content_hash == state.library.get("worked-example").content_hash
        )
        assert [v.label for v in state.library.history["worked-example"]] == ["1.1", "1.2"]
