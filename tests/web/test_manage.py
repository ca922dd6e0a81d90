"""Manager reports: team scoping in the query, filters, statuses, CSV export and query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import delete, event, select, update

from tests.support.learning import complete
from tests.web.conftest import add_team
from tilearn.engine.levels import load_scheme
from tilearn.extensions import db
from tilearn.models import AuditEvent, CompletionRecord, TeamManager, User
from tilearn.models.types import utcnow
from tilearn.services import certificates, report_csv, reports
from tilearn.services.organisation import current_scheme
from tilearn.services.statuses import COMPLETED, DUE_SOON, EXPIRED, IN_PROGRESS, NOT_STARTED, RECOMMENDED
from tilearn.web.library_state import current_library


def client_for(app, sign_in, user):
    client = app.test_client()
    sign_in(user, target=client)
    return client


def test_a_manager_sees_only_their_teams(app, sign_in, organisation):
    org = organisation
    complete(client_for(app, sign_in, org.a1))
    manager = client_for(app, sign_in, org.manager_a)
    html = manager.get("/manage/").get_data(as_text=True)
    assert "Ann Able" in html and "Arun Aye" in html and "Bea Bee" not in html
    assert "1 of 1" in html and "0 of 1" in html
    assert manager.get(f"/manage/learners/{org.a1.id}").status_code == 200
    assert manager.get(f"/manage/learners/{org.b1.id}").status_code == 404  # id swap
    assert manager.get(f"/manage/?team={org.team_b}").get_data(as_text=True).count("Bea Bee") == 0
    other = client_for(app, sign_in, org.manager_b)
    assert "Bea Bee" in other.get("/manage/").get_data(as_text=True)
    assert other.get(f"/manage/learners/{org.a1.id}").status_code == 404
    admin = client_for(app, sign_in, org.admin)
    every = admin.get("/manage/").get_data(as_text=True)
    assert all(name in every for name in ("Ann Able", "Arun Aye", "Bea Bee"))


def test_a_certificate_pdf_is_scoped_too(app, sign_in, organisation):
    org = organisation
    complete(client_for(app, sign_in, org.b1))
    with app.app_context():
        record_id = db.session.scalar(select(CompletionRecord.id))
    manager_a = client_for(app, sign_in, org.manager_a)
    assert manager_a.get(f"/manage/learners/{org.b1.id}/certificates/{record_id}.pdf").status_code == 404
    assert manager_a.get(f"/manage/learners/{org.a1.id}/certificates/{record_id}.pdf").status_code == 404
    manager_b = client_for(app, sign_in, org.manager_b)
    pdf = manager_b.get(f"/manage/learners/{org.b1.id}/certificates/{record_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_removing_a_manager_takes_effect_on_the_next_request(app, sign_in, organisation):
    org = organisation
    manager = client_for(app, sign_in, org.manager_a)
    assert manager.get(f"/manage/learners/{org.a1.id}").status_code == 200
    with app.app_context():
        db.session.execute(delete(TeamManager).where(TeamManager.user_id == org.manager_a.id))
        db.session.commit()
    assert manager.get(f"/manage/learners/{org.a1.id}").status_code == 404
    assert "Ann Able" not in manager.get("/manage/").get_data(as_text=True)


def set_expiry(user_id: int, when) -> None:
    """Move a learner's records' expiry (as if time passed), then re-sync as the services do."""
    db.session.execute(
        update(CompletionRecord).where(CompletionRecord.user_id == user_id).values(expires_at=when)
    )
    for module_id in db.session.scalars(
        select(CompletionRecord.module_id).where(CompletionRecord.user_id == user_id).distinct()
    ):
        certificates.sync_current_record(user_id, module_id)
    db.session.commit()


def test_statuses_due_bands_expiry_and_filters(app, sign_in, organisation):
    org = organisation
    complete(client_for(app, sign_in, org.a1))
    complete(client_for(app, sign_in, org.a2))
    with app.app_context():
        set_expiry(org.a2.id, utcnow() + timedelta(days=45))
        report = reports.team_report(org.manager_a.id, False, current_library(), current_scheme())
        cells = {row.name: row.cells[0] for row in report.rows}
        assert cells["Ann Able"].status == COMPLETED and cells["Ann Able"].completed_on is not None
        assert cells["Arun Aye"].status == DUE_SOON and cells["Arun Aye"].due_band == 60
        set_expiry(org.a2.id, utcnow() - timedelta(days=1))
        report = reports.team_report(org.manager_a.id, False, current_library(), current_scheme())
        assert {row.name: row.cells[0].status for row in report.rows}["Arun Aye"] == EXPIRED
        assert report.totals[EXPIRED] == 1 and report.totals[COMPLETED] == 1
    manager = client_for(app, sign_in, org.manager_a)
    expired_only = manager.get("/manage/?status=expired").get_data(as_text=True)
    assert "Arun Aye" in expired_only and "Ann Able" not in expired_only
    higher = manager.get("/manage/?level=informed").get_data(as_text=True)  # nobody is expected to reach it
    assert "Nobody matches these filters." in higher


def test_the_expected_level_can_be_set_per_person(app, sign_in, organisation):
    org = organisation
    with app.app_context():
        db.session.get(User, org.a2.id).expected_level = "informed"  # informed builds on aware
        db.session.commit()
        report = reports.team_report(org.manager_a.id, False, current_library(), current_scheme())
        levels = {row.name: row.level.key for row in report.rows}
        assert levels == {"Ann Able": "aware", "Arun Aye": "informed"}


def test_opening_a_learner_is_audited(app, sign_in, organisation):
    org = organisation
    client_for(app, sign_in, org.manager_a).get(f"/manage/learners/{org.a1.id}")
    with app.app_context():
        event_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "learner.viewed"))
        assert (event_row.actor_id, event_row.subject) == (org.manager_a.id, f"user:{org.a1.id}")


def test_csv_export_is_streamed_and_neutralises_formulas(app, sign_in, make_user, organisation):
    org = organisation
    nasty = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1+1)"]
    members = [make_user("learner", name=name) for name in nasty]
    add_team(app, "=Team", managers=[org.manager_a], members=members)
    complete(client_for(app, sign_in, org.a1))
    response = client_for(app, sign_in, org.manager_a).get("/manage/report.csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == list(report_csv.CSV_HEADER)
    names = {row[0] for row in rows[1:]}
    assert {"'" + name for name in nasty} <= names
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    ann = next(row for row in rows if row[0] == "Ann Able")
    assert ann[2:5] == ["Housing", "Trauma Aware", "worked-example"] and ann[7] == "completed"
    assert "'=Team" in {row[2] for row in rows}


def count_queries(app, work) -> int:
    with app.app_context():
        engine = db.engine
        statements = []

        def before(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            work()
        finally:
            event.remove(engine, "before_cursor_execute", before)
        return len([s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))])


def test_the_team_report_runs_a_constant_number_of_queries(app, make_user, sign_in):
    manager = make_user("manager")
    small = [make_user() for _ in range(3)]
    add_team(app, "Small", managers=[manager], members=small)
    for learner in small[:2]:
        complete(client_for(app, sign_in, learner))

    def run():
        library, scheme = current_library(), load_scheme("west-midlands")
        reports.team_report(manager.id, False, library, scheme)

    few = count_queries(app, run)
    large = [make_user() for _ in range(40)]
    add_team(app, "Large", managers=[manager], members=large)
    for learner in large[:10]:
        complete(client_for(app, sign_in, learner))
    many = count_queries(app, run)
    assert few == many == 2


def test_the_newest_unrevoked_record_counts_and_pages_split_the_learners(
    app, sign_in, make_user, organisation
):
    org = organisation
    complete(client_for(app, sign_in, org.a1))
    nobody = make_user("learner", name="Nia None")
    add_team(app, "Unset", level=None, managers=[org.manager_a], members=[nobody])
    library = scheme = None

    def statuses(**options):
        report = reports.team_report(org.manager_a.id, False, library, scheme, **options)
        return report, {row.name: [cell.status for cell in row.cells] for row in report.rows}

    with app.app_context():
        library, scheme = current_library(), current_scheme()
        first = db.session.scalar(select(CompletionRecord).where(CompletionRecord.user_id == org.a1.id))
        newer = CompletionRecord(
            user_id=org.a1.id,
            module_id=first.module_id,
            module_version=first.module_version,
            content_hash=first.content_hash,
            score=100,
            cycle=first.cycle + 1,
            verification_code="newer-cycle-code",
            revoked_at=utcnow(),
            expires_at=utcnow() - timedelta(days=1),
        )
        db.session.add(newer)
        db.session.flush()
        certificates.sync_current_record(org.a1.id, first.module_id)
        db.session.commit()
        report, seen = statuses()
        assert seen == {"Ann Able": ["completed"], "Arun Aye": ["not started"], "Nia None": []}
        assert (report.learners, report.learners_complete, report.pages) == (3, 1, 1)
        newer.revoked_at = None  # an un-revoked later cycle is the one that counts
        db.session.flush()
        certificates.sync_current_record(org.a1.id, first.module_id)
        db.session.commit()
        report, seen = statuses()
        assert seen["Ann Able"] == ["expired"] and report.totals == {"expired": 1, "not started": 1}
        report, seen = statuses(filters=reports.Filters(level="aware"))
        assert set(seen) == {"Ann Able", "Arun Aye"}
        pages = [statuses(page=number, page_size=2)[0] for number in (1, 2, 3)]
        assert [[row.name for row in page.rows] for page in pages] == [
            ["Ann Able", "Arun Aye"],
            ["Nia None"],
            ["Nia None"],
        ]
        assert {(page.learners, page.pages, page.page) for page in pages} == {(3, 2, 1), (3, 2, 2)}


def test_csv_status_filter_exports_whole_learners(app, sign_in, organisation):
    org = organisation
    complete(client_for(app, sign_in, org.a1))
    manager = client_for(app, sign_in, org.manager_a)
    rows = list(
        csv.reader(io.StringIO(manager.get("/manage/report.csv?status=completed").get_data(as_text=True)))
    )
    assert [row[0] for row in rows[1:]] == ["Ann Able"] and rows[1][7:9][0] == "completed"
    assert rows[1][8] and rows[1][9]  # completed on, refresher due
    rows = list(
        csv.reader(io.StringIO(manager.get("/manage/report.csv?status=not+started").get_data(as_text=True)))
    )
    assert [row[0] for row in rows[1:]] == ["Arun Aye"] and rows[1][8:] == ["", ""]


def test_a_module_beyond_a_learners_level_is_not_counted(app, sign_in, make_user, organisation):
    org = organisation
    unset = make_user("learner", name="Nia None")
    add_team(app, "Unset", level=None, managers=[org.manager_a], members=[unset])
    complete(client_for(app, sign_in, unset))  # no level is expected of her, yet she did the module
    complete(client_for(app, sign_in, org.a1))
    with app.app_context():
        report = reports.team_report(org.manager_a.id, False, current_library(), current_scheme())
        assert {row.name: [cell.status for cell in row.cells] for row in report.rows} == {
            "Ann Able": ["completed"],
            "Arun Aye": ["not started"],
            "Nia None": [],
        }
        assert report.totals == {"completed": 1, "not started": 1} and report.learners_complete == 1
    lines = client_for(app, sign_in, org.manager_a).get("/manage/report.csv").get_data(as_text=True)
    assert "Nia None" not in lines and "Ann Able" in lines


def with_material_version(library, module_id: str):
    """The library as if a material version 9.0 of the module had been published after the current one."""
    from dataclasses import replace

    from tilearn.engine.versions import VersionInfo

    later = VersionInfo("9.0", True, "Rewritten.", utcnow())
    return replace(library, history={**library.history, module_id: (*library.history[module_id], later)})


def test_a_material_change_recommends_a_refresher_in_the_report_and_csv(app, sign_in, organisation):
    org = organisation
    complete(client_for(app, sign_in, org.a1))
    with app.app_context():
        library, scheme = current_library(), current_scheme()
        module = library.get("worked-example")
        changed = with_material_version(library, module.id)
        statuses = {
            row.name: [cell.status for cell in row.cells]
            for row in reports.team_report(org.manager_a.id, False, changed, scheme).rows
        }
        assert statuses == {"Ann Able": [RECOMMENDED], "Arun Aye": [NOT_STARTED]}
        lines = "".join(report_csv.csv_export(org.manager_a.id, False, changed, scheme))
        assert ",refresher recommended," in lines
        unchanged = reports.team_report(org.manager_a.id, False, library, scheme)
        assert [cell.status for cell in unchanged.rows[0].cells] == [COMPLETED]


def test_records_resync_rebuilds_the_report_after_a_hand_edit(app, sign_in, organisation):
    org = organisation
    complete(client_for(app, sign_in, org.a1))
    with app.app_context():
        db.session.execute(update(CompletionRecord).values(revoked_at=utcnow()))  # outside tilearn
        db.session.commit()

    def ann() -> str:
        with app.app_context():
            report = reports.team_report(org.manager_a.id, False, current_library(), current_scheme())
            return {row.name: row.cells[0].status for row in report.rows}["Ann Able"]

    assert ann() == COMPLETED  # the report's copy does not know about the edit yet
    result = app.test_cli_runner().invoke(args=["records", "resync"])
    assert result.exit_code == 0 and "Rebuilt the current record of 1 progress row(s)." in result.output
    assert ann() == IN_PROGRESS


def test_the_report_a_certificate_and_my_learning_agree_on_every_status(app, sign_in, organisation):
    """The SQL CASE and the Python rules come from one definition: they give the same status."""
    from tilearn.services import progress, statuses

    org = organisation
    complete(client_for(app, sign_in, org.a1))
    cases = [
        (timedelta(days=400), False, COMPLETED),
        (timedelta(days=91), False, COMPLETED),
        (timedelta(days=89), False, DUE_SOON),
        (timedelta(days=10), True, DUE_SOON),  # due soon outranks a material change
        (timedelta(days=-1), True, EXPIRED),
        (None, False, COMPLETED),
        (None, True, RECOMMENDED),
    ]
    with app.app_context():
        library, scheme = current_library(), current_scheme()
        module = library.get("worked-example")
        for expires_in, material, expected in cases:
            set_expiry(org.a1.id, utcnow() + expires_in if expires_in is not None else None)
            changed_library = with_material_version(library, module.id) if material else library
            report = reports.team_report(org.manager_a.id, False, changed_library, scheme)
            in_report = {row.name: row.cells[0].status for row in report.rows}["Ann Able"]
            record = db.session.scalar(select(CompletionRecord).where(CompletionRecord.user_id == org.a1.id))
            stale = changed_library.stale_labels(module.id)
            of_record = statuses.MODULE_STATUS_OF[certificates.record_status(record, stale).key]
            mine = {
                s.module.id: s.status
                for _level, rows in progress.my_learning(org.a1.id, changed_library)
                for s in rows
            }
            assert (in_report, of_record, mine[module.id]) == (expected,) * 3, (expires_in, material)
    for key in (*statuses.MODULE_STATUSES, *statuses.RECORD_STATUSES):
        assert statuses.STATUSES[key].label and statuses.STATUSES[key].colour
    assert statuses.CURRENT == {COMPLETED, DUE_SOON, RECOMMENDED}
