"""Evaluation results on the insight pages: five responses are counted, four are not, and no team
or total gives a smaller group away."""

from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import select

from tests.web.conftest import add_team
from tilearn.engine.evaluation import AFTER
from tilearn.engine.levels import load_scheme
from tilearn.extensions import db
from tilearn.models import AuditEvent, EvaluationResponse
from tilearn.services import evaluation

INDEX, CSV, MODULE_PAGE = "/insight/", "/insight/evaluation.csv", "/insight/worked-example"
COMMENT = "EVALUATION-COMMENT-9c1e-never-shown"


def answer(app, people, answers: dict[str, str]) -> None:
    """Each person answers the Trauma Aware "after" questionnaire."""
    with app.app_context():
        for person in people:
            evaluation.record_answer(person.id, load_scheme(), "aware", AFTER, answers)


def views(app, make_user, sign_in) -> tuple[str, str]:
    """The insight index and the evaluation CSV as a trainer sees them (CSRF token left out)."""
    client = app.test_client()
    sign_in(make_user("trainer", name="Tara Trainer"), target=client)
    page, export = client.get(INDEX), client.get(CSV)
    assert page.status_code == 200 and export.status_code == 200
    assert export.mimetype == "text/csv"
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page.get_data(as_text=True)), export.get_data(
        as_text=True
    )


def aware_after(export: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(export)) if row[:2] == ["Trauma Aware", "Straight after"]]


def test_four_responses_read_fewer_than_five_and_five_are_counted(app, make_user, sign_in):
    people = [make_user("learner") for _ in range(5)]
    answer(app, people[:4], {"confidence": "2", "comments": COMMENT})
    page, export = views(app, make_user, sign_in)
    rows = aware_after(export)
    assert rows and {row[5] for row in rows} == {"fewer than 5"}
    assert "Evaluation results" in page and 'role="img"' not in page.split("Evaluation results")[1]
    assert COMMENT not in page and COMMENT not in export
    answer(app, people[4:], {"confidence": "3", "comments": COMMENT})
    page, export = views(app, make_user, sign_in)
    rows = aware_after(export)
    assert ["Trauma Aware", "Straight after", "All teams", "", "responses", "5"] in rows
    confidence = {row[4]: row[5] for row in rows if row[3].startswith("How confident")}
    assert confidence["A little confident"] == "4" and confidence["Fairly confident"] == "1", rows
    evaluation_part = page.split("Evaluation results")[1]
    assert 'role="img"' in evaluation_part and "<title" in evaluation_part and "<desc" in evaluation_part
    assert COMMENT not in page and COMMENT not in export
    with app.app_context():
        seen = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "insight.viewed")
        ).all()
        assert {"page", "csv"} <= set(seen)


def test_the_module_page_shows_its_levels_evaluation(app, make_user, sign_in):
    answer(app, [make_user("learner") for _ in range(5)], {"confidence": "1"})
    client = app.test_client()
    sign_in(make_user("trainer"), target=client)
    page = client.get(MODULE_PAGE).get_data(as_text=True)
    assert "Evaluation of Trauma Aware" in page and "EVALUATION:" not in page
    assert "Not confident yet</th>" in page


def test_a_team_is_shown_only_when_the_rest_cannot_be_worked_out(app, make_user, sign_in):
    big = [make_user("learner") for _ in range(6)]
    add_team(app, "Big team", members=big)
    loners = [make_user("learner") for _ in range(2)]  # no team kept
    answer(app, big, {"confidence": "4"})
    answer(app, loners, {"confidence": "1"})
    _page, export = views(app, make_user, sign_in)
    groups = {row[2] for row in aware_after(export)}
    # 8 in all, 6 in the big team: showing the team would give away the 2 others' answers.
    assert groups == {"All teams"}
    answer(app, [make_user("learner") for _ in range(3)], {"confidence": "1"})
    page, export = views(app, make_user, sign_in)
    rows = aware_after(export)
    assert {row[2] for row in rows} == {"All teams", "Big team"}
    assert ["Trauma Aware", "Straight after", "Big team", "", "responses", "6"] in rows
    assert "Big team" in page


def test_a_teams_question_is_hidden_when_few_others_answered_it(app, make_user, sign_in):
    big = [make_user("learner") for _ in range(5)]
    add_team(app, "=Big team", members=big)
    answer(app, big, {"confidence": "4", "safe": "4"})
    answer(app, [make_user("learner") for _ in range(5)], {"confidence": "2"})
    others = [make_user("learner") for _ in range(2)]
    answer(app, others, {"confidence": "2", "safe": "1"})
    _page, export = views(app, make_user, sign_in)
    rows = aware_after(export)
    team = [row for row in rows if row[2] == "'=Big team"]  # formula-safe
    assert team, rows
    safe = [row for row in team if row[3].startswith("How safe") or "safe" in row[3].lower()]
    assert safe and {row[5] for row in safe} == {"fewer than 5"}, team
    confidence = {row[4]: row[5] for row in team if row[3].startswith("How confident")}
    assert confidence["Confident enough to help others"] == "5"
    everyone = {row[4]: row[5] for row in rows if row[2] == "All teams" and "safe" in row[3].lower()}
    assert everyone["Completely"] == "5" and everyone["Not at all"] == "2"


def test_page_and_csv_do_not_change_while_the_group_stays_under_five(app, make_user, sign_in):
    people = [make_user("learner") for _ in range(4)]
    answer(app, people[:3], {"confidence": "2"})
    before = views(app, make_user, sign_in)
    answer(app, people[3:], {"confidence": "4"})
    with app.app_context():
        first = db.session.scalars(select(EvaluationResponse)).first()
        first.answers = json.dumps({"confidence": "1"})
        db.session.commit()
    assert views(app, make_user, sign_in) == before


def test_learners_and_managers_cannot_read_the_evaluation_csv(app, make_user, sign_in):
    for role in ("learner", "manager"):
        client = app.test_client()
        sign_in(make_user(role), target=client)
        assert client.get(CSV).status_code in (302, 403)
