"""One declaration of what is held about a person, checked against the tables that really exist."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, Text

from tilearn.extensions import db
from tilearn.services import personal_data
from tilearn.services.my_data import export_my_data


def test_every_table_that_refers_to_a_person_is_erased_exported_or_kept_for_a_reason(app):
    assert personal_data.undeclared(db.metadata) == [], "declare it in tilearn/services/personal_data.py"
    assert personal_data.unexplained() == []
    tables = {table.name for table in db.metadata.sorted_tables}
    assert {holding.table for holding in personal_data.HOLDINGS} <= tables


def test_a_new_table_about_a_person_is_caught():
    metadata = MetaData()
    Table("users", metadata, Column("id", Integer, primary_key=True))
    Table("notes", metadata, Column("id", Integer, primary_key=True), Column("by", ForeignKey("users.id")))
    Table("moods", metadata, Column("user_id", Integer), Column("mood", Text))
    Table("glossary", metadata, Column("term", Text, primary_key=True))
    assert sorted(personal_data.undeclared(metadata)) == ["moods", "notes"]


def test_the_download_has_a_section_for_every_exported_table(app, make_user):
    learner = make_user("learner")
    with app.app_context():
        data = export_my_data(learner.id)
    wanted = {holding.export for holding in personal_data.HOLDINGS if holding.export is not None}
    assert set(data) == {"about"} | wanted
