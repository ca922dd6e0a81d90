"""Module versions published on the site: statuses that never forget a material change, everywhere.

The sequence from issue 10: 1.0 → 1.1 (material) → 1.2 (material) → 1.3 (not material), each
published through the service, with a learner holding each version. Holders of 1.0 and 1.1 are
recommended a refresher (a later version was material); holders of 1.2 and 1.3 are not.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.support.versions import MODULE_ID, module_text
from tests.web.conftest import add_team, signed_in
from tilearn.database import unit_of_work
from tilearn.extensions import db
from tilearn.models import AuditEvent, CompletionRecord, ModuleVersion
from tilearn.services import completion, module_versions, progress, reports
from tilearn.services.organisation import current_scheme
from tilearn.services.statuses import COMPLETED, RECOMMENDED
from tilearn.web.library_state import check_for_changes, current_library


def text(label: str, body: str = "Breathe in for four, out for six.") -> str:
    return module_text(label, body)


@pytest.fixture
def site(make_app):
    """The app checking for a changed library before every request (LIBRARY_CHECK_SECONDS 0)."""
    return make_app(LIBRARY_CHECK_SECONDS=0)


def publish(app, actor_id, label, material, body=None, note=None):
    with app.app_context():
        version = module_versions.publish(
            actor_id,
            MODULE_ID,
            text(label, body or f"Text of version {label}."),
            {},
            note or f"Note {label}.",
            material,
        )
        assert check_for_changes(app)  # this worker now serves it
        return version.id


def complete_now(app, user_id: int) -> CompletionRecord:
    """The learner reads the module as it is now and completes it."""
    with app.app_context(), unit_of_work():
        module = current_library().get(MODULE_ID)
        progress.record_section_seen(user_id, module, "breathing")
        record = completion.complete_module(user_id, module)
        assert record is not None
        db.session.expunge(record)
        return record


@dataclass
class Holders:
    manager: object
    trainer: object
    records: dict  # label -> (learner, record)


@pytest.fixture
def holders(site, make_user) -> Holders:
    """A learner holding each of 1.0, 1.1, 1.2 and 1.3, in a team whose manager sees them."""
    trainer, manager = make_user("trainer"), make_user("manager", name="Mo Manager")
    records = {}
    for label, material in (("1.0", False), ("1.1", True), ("1.2", True), ("1.3", False)):
        publish(site, trainer.id, label, material)
        learner = make_user("learner", name=f"Holder of {label}")
        records[label] = (learner, complete_now(site, learner.id))
        assert records[label][1].module_version == label
    add_team(site, "Wellbeing", "aware", managers=[manager], members=[r[0] for r in records.values()])
    return Holders(manager, trainer, records)


EXPECTED = {"1.0": RECOMMENDED, "1.1": RECOMMENDED, "1.2": COMPLETED, "1.3": COMPLETED}


def test_the_sequence_on_the_learners_page_and_my_learning(site, holders):
    for label, (learner, _record) in holders.records.items():
        client = signed_in(site, learner)
        page = client.get(f"/learn/{MODULE_ID}").get_data(as_text=True)
        recommended = "so a refresher is recommended" in page
        assert recommended == (EXPECTED[label] == RECOMMENDED), label
        notes = re.findall(r"Note (1\.\d)\.", page)
        assert notes == [n for n in ("1.1", "1.2", "1.3") if n > label], label  # what changed, oldest first
        with site.app_context():
            mine = {
                s.module.id: s.status
                for _lvl, rows in progress.my_learning(learner.id, current_library())
                for s in rows
            }
        assert mine[MODULE_ID] == EXPECTED[label], label


def test_the_sequence_in_the_managers_report_and_csv(site, holders):
    with site.app_context():
        report = reports.team_report(holders.manager.id, False, current_library(), current_scheme())
        cells = {
            row.name: next(c.status for c in row.cells if c.module.id == MODULE_ID) for row in report.rows
        }
    assert cells == {f"Holder of {label}": status for label, status in EXPECTED.items()}
    csv = signed_in(site, holders.manager).get("/manage/report.csv").get_data(as_text=True)
    for label, status in EXPECTED.items():
        line = next(
            line
            for line in csv.splitlines()
            if line.startswith(f"Holder of {label},") and f",{MODULE_ID}," in line
        )
        assert f",{status}," in line, line


def test_the_sequence_on_the_certificate_pdf_and_the_public_verify_page(site, holders):
    for label, (learner, record) in holders.records.items():
        client = signed_in(site, learner)
        response = client.get(f"/certificates/{record.id}.pdf")
        pdf = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
        pdf = re.sub(r"\s+", " ", pdf)
        certificate_status = "refresher recommended" if EXPECTED[label] == RECOMMENDED else "valid"
        assert f"Status: {certificate_status}" in pdf and f"Module version: {label}" in pdf, (label, pdf)
        verify = site.test_client().get(f"/verify/{record.verification_code}").get_data(as_text=True)
        shown = "Refresher recommended" if EXPECTED[label] == RECOMMENDED else "Valid"
        assert shown in verify, label
        other = "Valid" if shown == "Refresher recommended" else "Refresher recommended"
        assert other not in verify, label


def test_labels_must_rise_and_nothing_unchanged_or_broken_is_published(site, make_user):
    trainer = make_user("trainer")
    publish(site, trainer.id, "1.3", False)
    with site.app_context():
        for label, body, note, expected in (
            (
                "1.3",
                "A new text.",
                "x",
                "Version labels must rise: the last published is 1.3; write 1.4 or higher",
            ),
            ("1.2", "A new text.", "x", "Version labels must rise"),
            ("1.3", None, "x", "Nothing has changed since version 1.3."),
            ("1.4", "A new text.", "  ", "Write a short note for learners"),
            ("1.4", "::: question q-x\nUnclosed", "x", "Line "),
        ):
            with pytest.raises(module_versions.PublishRefused) as refused:
                module_versions.publish(
                    trainer.id, MODULE_ID, text(label, body or "Text of version 1.3."), {}, note, True
                )
            assert any(expected in m for m in refused.value.messages), (label, refused.value.messages)
        assert [v.version for v in module_versions.history(MODULE_ID)] == ["1.3"]
        assert module_versions.next_label(MODULE_ID) == "1.4"
        assert (
            module_versions.publish(trainer.id, MODULE_ID, text("1.10", "New."), {}, "New.", False).version
            == "1.10"
        )
        with pytest.raises(module_versions.PublishRefused, match="the last published is 1.10; write 1.11"):
            module_versions.publish(trainer.id, MODULE_ID, text("1.9", "Newer."), {}, "x", False)


def test_rollback_publishes_the_old_text_as_the_next_version(site, make_user):
    trainer = make_user("trainer")
    first = publish(site, trainer.id, "1.0", False, body="The first words.")
    for label in ("1.1", "1.2", "1.3"):
        publish(site, trainer.id, label, label == "1.1")
    with site.app_context():
        version = module_versions.rollback(trainer.id, MODULE_ID, first, "Back to the first words.", True)
        assert (version.version, version.source, version.rolled_back_from_id) == ("1.4", "rollback", first)
        assert version.markdown == text("1.4", "The first words.")
        assert [v.version for v in module_versions.history(MODULE_ID)] == ["1.4", "1.3", "1.2", "1.1", "1.0"]
        assert [v.version for v in module_versions.changes_since(MODULE_ID, "1.2")] == ["1.3", "1.4"]
        events = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject == f"module:{MODULE_ID}")
        )
        assert list(events).count("module.published") == 4
        assert db.session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "module.rolled_back")
        ) == ("version 1.4 from version 1.0, material change")
        assert check_for_changes(site)
        module = current_library().get(MODULE_ID)
        assert module.version == "1.4" and "The first words." in module.sections[0].blocks[0].html
        diff = module_versions.diff_lines(
            module_versions.get_version(MODULE_ID, first).markdown, version.markdown
        )
        assert [(d.kind, d.text) for d in diff if d.kind in ("added", "removed")] == [
            ("removed", 'version: "1.0"'),
            ("added", 'version: "1.4"'),
        ]


def test_retiring_hides_a_module_from_new_learners_but_its_records_still_verify(site, make_user):
    trainer, learner, newcomer = make_user("trainer"), make_user("learner"), make_user("learner")
    publish(site, trainer.id, "1.0", False)
    record = complete_now(site, learner.id)
    with site.app_context():
        module_versions.retire(trainer.id, MODULE_ID, "Replaced by a newer module.")
    client = signed_in(site, newcomer)
    assert client.get(f"/learn/{MODULE_ID}").status_code == 404
    assert "Calm breathing" not in client.get("/").get_data(as_text=True)
    verify = site.test_client().get(f"/verify/{record.verification_code}").get_data(as_text=True)
    assert "Calm breathing" in verify and "Valid" in verify
    assert signed_in(site, learner).get(f"/certificates/{record.id}.pdf").status_code == 200
    with site.app_context():
        module_versions.restore(trainer.id, MODULE_ID)
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"module.retired", "module.restored"} <= actions
    assert client.get(f"/learn/{MODULE_ID}").status_code == 200


def test_a_module_published_on_the_site_wins_over_its_folder(site, make_user):
    trainer = make_user("trainer")
    with site.app_context():
        on_disk = current_library().get("worked-example")
        assert [v.source for v in module_versions.history("worked-example")] == ["file"]
        changed = (
            on_disk_text(on_disk)
            .replace('version: "1.2"', 'version: "1.3"')
            .replace("title: ", "title: Revised ", 1)
        )
        module_versions.publish(trainer.id, "worked-example", changed, {}, "A clearer title.", False)
        assert check_for_changes(site)
        served = current_library().get("worked-example")
        assert served.version == "1.3" and served.title.startswith("Revised ")
        assert [v.version for v in module_versions.history("worked-example")] == ["1.3", "1.2"]


def on_disk_text(module) -> str:
    from tilearn.config import PROJECT_ROOT

    return (PROJECT_ROOT / module.path).read_text(encoding="utf-8")


def test_a_draft_text_is_checked_without_being_published(site):
    with site.app_context():
        module = module_versions.check_module(MODULE_ID, text("1.0").replace("\n", "\r\n"), {"a.png": b"png"})
        assert module.title == "Calm breathing" and not [p for p in module.problems if p.is_error]
        folder = module_versions.checked_folder(module)
        assert (folder / "a.png").read_bytes() == b"png" and (folder / "module.md").read_text() == text("1.0")
        assert db.session.scalar(select(ModuleVersion).where(ModuleVersion.module_id == MODULE_ID)) is None
        assert current_library().get(MODULE_ID) is None


def test_a_worker_started_before_the_database_was_migrated_picks_it_up(tmp_path):
    from flask_migrate import upgrade

    from tests.conftest import base_config
    from tilearn import create_app

    app = create_app(
        {**base_config(tmp_path, f"sqlite:///{tmp_path / 'fresh.sqlite'}"), "LIBRARY_CHECK_SECONDS": 0}
    )
    state = app.extensions["tilearn.library"]
    assert state.generation is None and state.library.get("worked-example") is not None  # the folders, served
    with app.app_context():
        assert not check_for_changes(app)  # still no database to read
        app.extensions["tilearn.library_check"].next_at = 0  # not waiting the 5 s retry
        upgrade()
        assert check_for_changes(app)
        state = app.extensions["tilearn.library"]
        assert state.generation == 1 and [v.label for v in state.library.history["worked-example"]] == ["1.2"]
        db.session.remove()
        db.engine.dispose()
