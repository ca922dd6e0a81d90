"""Insight pages: five learners are shown, four are not, and nothing a trainer sees singles anyone out."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import func, select

from tests.support.learning import MODULE, attempt_key
from tilearn.engine.insight import FEWER
from tilearn.extensions import db
from tilearn.models import AuditEvent, GroundingVisit, InsightTotal, QuestionResult, User

PAGE, CSV = "/insight/worked-example", "/insight/worked-example.csv"
GROUNDING = "learners who went to the grounding page from it"
RIGHT = {"survival-responses": {"q-q-five-fs": "0"}, "harder-day": {"q-q-helps": ["0", "1"], "q-q-same": "1"}}


def answer(client, section: str, answers: dict) -> None:
    """Open a section, check the given answers, and mark it read."""
    page = client.get(f"{MODULE}/{section}?note=continue").get_data(as_text=True)
    client.post(f"{MODULE}/{section}/answers", data={**answers, "attempt_key": attempt_key(page)})
    client.post(f"{MODULE}/{section}/done")


def learners(app, make_user, sign_in, count: int, retry_first: bool = True, grounding: int = 0) -> list:
    """count learners who each skip the harder day for now (and leave it), pause in both sections,
    and miss the survival question first time before getting it right (a retry): facility 0%.
    The first `grounding` of them follow each pause to the grounding page; the rest close the tab.
    """
    clients = []
    for number in range(count):
        client = app.test_client()
        sign_in(make_user("learner", name=f"Learner Number{number}"), target=client)
        client.post(f"{MODULE}/harder-day/choice", data={"choice": "skip"})
        for section in RIGHT:
            paused = client.post("/pause", data={"module_id": "worked-example", "section_id": section})
            if number < grounding:
                assert client.get(paused.headers["Location"]).status_code == 200
        if retry_first:
            answer(client, "survival-responses", {"q-q-five-fs": "1"})
        answer(client, "survival-responses", RIGHT["survival-responses"])
        clients.append(client)
    return clients


def trainer_views(app, make_user, sign_in) -> tuple[str, str]:
    """The insight page and CSV as a trainer sees them."""
    client = app.test_client()
    sign_in(make_user("trainer", name="Tara Trainer"), target=client)
    page = client.get(PAGE)
    export = client.get(CSV)
    assert page.status_code == 200 and export.status_code == 200
    # The sign-out form's CSRF token is per session; everything else must match byte for byte.
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page.get_data(as_text=True)), export.get_data(
        as_text=True
    )


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_four_learners_show_nothing_but_fewer_than_five(app, make_user, sign_in):
    learners(app, make_user, sign_in, 4)
    page, export = trainer_views(app, make_user, sign_in)
    values = [row[4] for row in rows(export)[1:]]
    assert values and set(values) == {"fewer than 5", "not offered"}  # "not offered": by design, not data
    assert "Learners who started this module: <strong>fewer than 5</strong>" in page
    assert "Number" not in page and "Number" not in export  # no learner is named


def test_five_learners_are_counted(app, make_user, sign_in):
    learners(app, make_user, sign_in, 5, grounding=5)
    page, export = trainer_views(app, make_user, sign_in)
    table = {(row[1], row[2], row[3]): row[4] for row in rows(export)[1:]}
    assert table[("", "", "learners who started")] == "5"
    harder, survival = "A harder day", "Survival responses"
    assert table[(harder, "", "learners who paused (and were taken to grounding)")] == "5"
    assert table[(harder, "", "learners who skipped it for now and have not read it yet")] == "5"
    assert table[(survival, "", "learners who paused (and were taken to grounding)")] == "5"
    assert table[(harder, "", GROUNDING)] == table[(survival, "", GROUNDING)] == "5"
    assert table[("All sections (sum)", "", "went to grounding")] == "10"
    assert '<th scope="col" class="govuk-table__header">Went to grounding from it</th>' in page
    # Nobody retried the harder day: its 0 is hidden, and so the survival 5 beside it must be too,
    # or the total (5) minus the shown 5 would give the hidden figure away.
    assert table[(harder, "", "learners who checked answers more than once")] == "fewer than 5"
    assert table[(survival, "", "learners who checked answers more than once")] == "fewer than 5"
    assert table[("All sections (sum)", "", "retried")] == "5"
    assert table[(survival, "", "learners who skipped it for now and have not read it yet")] == "not offered"
    assert table[(survival, "", "median minutes")] == "0"
    survival_question = "Which of these is one of the five survival responses?"
    assert table[(survival, survival_question, "right first time")] == "0%"
    assert table[(survival, survival_question, "answered")] == "5"
    assert table[(harder, "Everyone reacts to the same event in the same way.", "right first time")] == FEWER
    assert table[(survival, survival_question, "discrimination")] == "not defined"
    assert '<svg class="tl-chart" role="img"' in page and "<title id=" in page
    assert "Number" not in page and "Number" not in export


def test_four_who_went_to_grounding_from_a_section_read_fewer_than_five(app, make_user, sign_in):
    learners(app, make_user, sign_in, 6, grounding=4)
    page, export = trainer_views(app, make_user, sign_in)
    table = {(row[1], row[2], row[3]): row[4] for row in rows(export)[1:]}
    assert table[("", "", "learners who started")] == "6"
    assert table[("A harder day", "", GROUNDING)] == table[("Survival responses", "", GROUNDING)] == FEWER
    assert table[("Survival responses", "", "learners who paused (and were taken to grounding)")] == "6"
    assert "Number" not in page and "Number" not in export


def manager_views(client, team: int, learner_id: int) -> list[str]:
    """The manager's team report, its CSV and the learner's page."""
    urls = (f"/manage/?team={team}", f"/manage/report.csv?team={team}", f"/manage/learners/{learner_id}")
    pages = [client.get(url) for url in urls]
    assert all(page.status_code == 200 for page in pages)
    return [re.sub(r'name="csrf_token" value="[^"]+"', "", page.get_data(as_text=True)) for page in pages]


def test_one_learners_changes_leave_a_group_of_four_unchanged(app, make_user, sign_in):
    from tests.web.conftest import add_team

    clients = learners(app, make_user, sign_in, 4, grounding=2)
    with app.app_context():
        last = db.session.scalars(select(User).where(User.name == "Learner Number3")).one()
        db.session.expunge(last)
    manager = make_user("manager", name="Mo Manager")
    team = add_team(app, "Outreach", managers=[manager], members=[last])
    managing = app.test_client()
    sign_in(manager, target=managing)
    before = trainer_views(app, make_user, sign_in), manager_views(managing, team, last.id)
    last_client = clients[-1]
    paused = last_client.post(
        "/pause", data={"module_id": "worked-example", "section_id": "survival-responses"}
    )
    last_client.get(paused.headers["Location"])  # grounding from a section, then from the menu elsewhere
    last_client.get("/grounding")
    last_client.post(f"{MODULE}/survival-responses/choice", data={"choice": "skip"})
    answer(last_client, "harder-day", {"q-q-helps": ["2"], "q-q-same": "0"})
    answer(last_client, "survival-responses", {"q-q-five-fs": "2"})
    after = trainer_views(app, make_user, sign_in), manager_views(managing, team, last.id)
    assert after == before
    with app.app_context():
        visits = db.session.scalar(select(func.count()).where(GroundingVisit.user_id == last.id))
        assert visits == 2  # they did go: the pages are the same all the same


def test_first_answers_stay_first_and_later_answers_stay_latest(app, make_user, sign_in):
    learners(app, make_user, sign_in, 1)
    with app.app_context():
        result = db.session.scalars(select(QuestionResult).filter_by(question_id="q-five-fs")).one()
        assert (result.first_correct, result.correct) == (False, True)


def test_viewing_insight_is_audited(app, make_user, sign_in):
    trainer_views(app, make_user, sign_in)
    with app.app_context():
        found = db.session.execute(
            select(AuditEvent.detail, func.count())
            .where(AuditEvent.action == "insight.viewed", AuditEvent.subject == "module:worked-example")
            .group_by(AuditEvent.detail)
        ).all()
        assert sorted(found) == [("csv", 1), ("page", 1)]


def test_an_unknown_module_is_not_found(app, make_user, sign_in):
    client = app.test_client()
    sign_in(make_user("admin"), target=client)
    assert client.get("/insight/no-such-module").status_code == 404
    assert client.get("/insight/").status_code == 200


def test_figures_follow_learners_at_once_and_the_totals_name_no_one(app, make_user, sign_in):
    learners(app, make_user, sign_in, 4)
    trainer = app.test_client()
    sign_in(make_user("trainer"), target=trainer)
    assert "<strong>fewer than 5</strong>" in trainer.get(PAGE).get_data(as_text=True)  # counted once
    learners(app, make_user, sign_in, 1)
    assert "<strong>5</strong>" in trainer.get(PAGE).get_data(as_text=True)  # kept up to date, not recounted
    with app.app_context():
        kept = db.session.scalars(
            select(InsightTotal).where(InsightTotal.module_id == "worked-example")
        ).all()
        assert {row.measure for row in kept} == {"minutes", "retried", "n"}  # nobody right first time
        assert not any(hasattr(row, "user_id") for row in kept)  # aggregates only


def test_a_trainers_title_is_never_a_formula_in_the_csv(make_app, make_user, sign_in, tmp_path):
    from tests.conftest import write_module

    write_module(tmp_path / "mods" / "formula", body='## =HYPERLINK("x") {#one}\n\nText.\n')
    app = make_app(MODULES_DIRS=[str(tmp_path / "mods")])
    client = app.test_client()
    sign_in(make_user("trainer"), target=client)
    rows = list(csv.reader(io.StringIO(client.get("/insight/formula.csv").get_data(as_text=True))))
    assert any(row[1] == '\'=HYPERLINK("x")' for row in rows)
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
