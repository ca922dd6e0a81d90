"""Evaluation: invited before, straight after and six months on; always optional; anonymous to everyone."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, DateTime, inspect, select

from tests.support.learning import MODULE, complete
from tests.support.pages import sign_in_form
from tests.web.conftest import add_team
from tilearn.engine.evaluation import AFTER, BEFORE, SIX_MONTHS
from tilearn.engine.levels import load_scheme
from tilearn.extensions import db
from tilearn.models import CompletionRecord, EvaluationInvitation, EvaluationResponse
from tilearn.services import evaluation, people
from tilearn.services.organisation import current_scheme
from tilearn.web.library_state import current_library

BEFORE_TITLE = "Before you start this level: Trauma Aware"
AFTER_TITLE = "Now that you have finished this level: Trauma Aware"
SIX_TITLE = "Six months on: Trauma Aware"
COMMENT = "EVALUATION-COMMENT-7f3a-the-bus-was-late"


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def seven_months_ago(app, user_id: int) -> None:
    """Move the learner's completion back seven months."""
    with app.app_context():
        for record in db.session.scalars(select(CompletionRecord).where(CompletionRecord.user_id == user_id)):
            record.issued_at = datetime.now(UTC) - timedelta(days=215)
        db.session.commit()


def due(app, user_id: int, today: date | None = None) -> list[tuple[str, str]]:
    with app.app_context():
        found = evaluation.invitations_due(user_id, current_library(), current_scheme(), today)
        return [(d.level.key, d.stage) for d in found]


def test_invited_before_after_and_six_months_on_never_in_the_way(app, make_user, sign_in):
    learner = make_user("learner")
    add_team(app, "Housing", level="aware", members=[learner])
    client = app.test_client()
    sign_in(learner, target=client)
    assert BEFORE_TITLE in text(client, "/")
    assert BEFORE_TITLE in text(client, MODULE)
    assert "Send my answers" in text(client, "/evaluation/aware/before")

    complete(client)  # every invitation ignored: the module completes all the same
    with app.app_context():
        assert db.session.scalar(select(CompletionRecord.user_id)) == learner.id
    finished = text(client, f"{MODULE}/finished")
    assert "Module completed" in finished and AFTER_TITLE in finished
    my_learning = text(client, "/")
    assert AFTER_TITLE in my_learning and BEFORE_TITLE not in my_learning  # started: too late to ask
    assert "no questions waiting" in text(client, "/evaluation/aware/before")

    answered = client.post(
        "/evaluation/aware/after",
        data={"confidence": "3", "safe": "4", "supported": "4", "comments": COMMENT, "back": "/"},
    )
    assert answered.status_code == 200 and "Thank you" in answered.get_data(as_text=True)
    assert AFTER_TITLE not in text(client, "/")
    assert "no questions waiting" in text(client, "/evaluation/aware/after")

    seven_months_ago(app, learner.id)
    assert SIX_TITLE in text(client, "/")
    put_off = client.post("/evaluation/aware/six-months/not-now", data={"back": "/"})
    assert put_off.status_code == 302 and put_off.headers["Location"] == "/"
    assert SIX_TITLE not in text(client, "/")
    assert due(app, learner.id, evaluation.today_utc() + timedelta(days=15)) == [("aware", SIX_MONTHS)]
    stopped = client.post("/evaluation/aware/six-months/stop", data={"back": "//elsewhere.example"})
    assert stopped.status_code == 302 and stopped.headers["Location"] == "/"  # never off the site
    for elsewhere in ("/\\elsewhere.example", "/\t/elsewhere.example", "https://elsewhere.example/"):
        again = client.post("/evaluation/aware/six-months/not-now", data={"back": elsewhere})
        assert again.headers["Location"] == "/", elsewhere
    assert due(app, learner.id, evaluation.today_utc() + timedelta(days=15)) == []
    with app.app_context():
        states = {(i.stage, i.state) for i in db.session.scalars(select(EvaluationInvitation))}
    assert states == {(AFTER, "answered"), (SIX_MONTHS, "declined")}


def test_before_is_offered_for_the_expected_level_on_my_learning_and_on_any_unstarted_module(
    app, make_user, sign_in
):
    learner = make_user("learner")
    client = app.test_client()
    sign_in(learner, target=client)
    assert BEFORE_TITLE not in text(client, "/")  # no expected level: not pressed on every level
    assert BEFORE_TITLE in text(client, MODULE)
    client.post(f"{MODULE}/survival-responses/done")
    assert BEFORE_TITLE not in text(client, MODULE)


def test_answers_can_be_left_out_but_not_all_of_them(app, make_user, sign_in):
    learner = make_user("learner")
    client = app.test_client()
    sign_in(learner, target=client)
    page = client.post("/evaluation/aware/before", data={"hopes": "  "})
    body = page.get_data(as_text=True)
    assert page.status_code == 400 and "<title>Error: " in body
    assert 'href="#q-confidence"' in body and "Answer at least one question, or choose Not now" in body
    assert "without your name" in body and "will not be in your data download" in body
    assert "do not write names" in body
    assert client.post("/evaluation/aware/before", data={"knowledge": "2"}).status_code == 200
    assert client.get("/evaluation/nowhere/before").status_code == 404
    assert client.get("/evaluation/aware/someday").status_code == 404


def test_no_column_links_a_response_to_a_person():
    responses = EvaluationResponse.__table__
    invitations = EvaluationInvitation.__table__
    assert not [c for c in responses.c if "user" in c.name or c.name.endswith("_by")]
    assert {key.column.table.name for key in responses.foreign_keys} == {"teams"}
    assert not [c for c in responses.c if isinstance(c.type, DateTime | Date)]  # the month only, as text
    assert {key.column.table.name for key in invitations.foreign_keys} == {"users"}
    assert "response" not in " ".join(c.name for c in invitations.c)
    assert not [c for c in invitations.c if isinstance(c.type, DateTime)]  # days and months, no times
    assert str(responses.c.id.type) == "VARCHAR(32)"  # random, so in no order


def test_a_team_is_kept_only_when_it_has_five_people(app, make_user, sign_in):
    small = [make_user("learner") for _ in range(4)]
    big = [make_user("learner") for _ in range(5)]
    add_team(app, "Small", members=small)
    big_team = add_team(app, "Big", members=big)
    for person in (small[0], big[0]):
        client = app.test_client()
        sign_in(person, target=client)
        assert client.post("/evaluation/aware/before", data={"confidence": "1"}).status_code == 200
    with app.app_context():
        rows = db.session.scalars(select(EvaluationResponse)).all()
        assert sorted(r.team_id or 0 for r in rows) == [0, big_team]
        assert {r.period for r in rows} == {f"{evaluation.today_utc():%Y-%m}"}
        assert {json.loads(r.answers)["confidence"] for r in rows} == {"1"}
        invitations = db.session.scalars(select(EvaluationInvitation)).all()
        month = f"{evaluation.today_utc():%Y-%m}"
        assert {(i.invited_on.day, i.dealt_with_in, i.state) for i in invitations} == {(1, month, "answered")}


def answer_after(app, user_ids, answers: dict[str, str]) -> None:
    with app.app_context():
        for user_id in user_ids:
            evaluation.record_answer(user_id, load_scheme(), "aware", AFTER, answers)


def test_results_give_no_numbers_for_fewer_than_five(app, make_user):
    learners = [make_user("learner") for _ in range(5)]
    answer_after(app, [p.id for p in learners[:4]], {"confidence": "2", "comments": COMMENT})
    with app.app_context():
        four = evaluation.evaluation_results("aware", AFTER)
        assert four.suppressed and four.responses is None
        assert all(q.counts is None for q in four.questions) and evaluation.FEWER_THAN == "fewer than 5"
    answer_after(app, [learners[4].id], {"confidence": "3", "safe": "4"})
    with app.app_context():
        five = evaluation.evaluation_results("aware", AFTER)
        assert five.responses == 5
        counts = {q.key: q.counts for q in five.questions}
        assert counts["confidence"] == (
            ("Not confident yet", 0),
            ("A little confident", 4),
            ("Fairly confident", 1),
            ("Confident enough to help others", 0),
        )
        assert counts["safe"] is None  # only one answered it
        assert "comments" not in counts and COMMENT not in repr(five)  # free text never comes out
        assert evaluation.evaluation_results("aware", BEFORE).suppressed
        assert evaluation.evaluation_results("aware", AFTER, team_id=1).suppressed


def test_an_erased_learners_answers_stay_counted_and_name_nobody(app, make_user, sign_in):
    admin = make_user("admin")
    learners = [make_user("learner") for _ in range(5)]
    answer_after(app, [p.id for p in learners], {"confidence": "4"})
    client = app.test_client()
    sign_in(learners[0], target=client)
    download = json.loads(text(client, "/my-data"))
    assert [(i["level_key"], i["stage"], i["state"]) for i in download["evaluation_invitations"]] == [
        ("aware", AFTER, "answered")
    ]
    assert '"confidence"' not in json.dumps(download)  # the answers are no longer theirs to download
    with app.app_context():
        people.erase_person(admin.id, learners[0].id)
        db.session.commit()
        assert (
            db.session.scalar(
                select(EvaluationInvitation).where(EvaluationInvitation.user_id == learners[0].id)
            )
            is None
        )
        assert evaluation.evaluation_results("aware", AFTER).responses == 5
        assert "user_id" not in {c["name"] for c in inspect(db.engine).get_columns("evaluation_responses")}


def test_the_six_month_invitation_is_emailed_once_by_the_daily_command(make_app, make_user):
    app = make_app(MAIL_BACKEND="locmem", MAIL_DEFAULT_SENDER="learning@example.org")
    learner = make_user("learner", email="sam@example.org", name="Sam Patel")
    recent = make_user("learner", email="recent@example.org")
    for person in (learner, recent):
        with app.app_context():
            db.session.add(
                CompletionRecord(
                    user_id=person.id,
                    module_id="worked-example",
                    module_version="1.2",
                    content_hash="0" * 64,
                    score=100,
                    cycle=1,
                    verification_code=f"code-{person.id}",
                )
            )
            db.session.commit()
    seven_months_ago(app, learner.id)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["evaluations", "invite", "--site", "https://learning.example.org"])
    assert "E-mailed 1 of 1" in result.output, result.output
    outbox = app.extensions["mailman"].outbox
    assert [m.to for m in outbox] == [["sam@example.org"]]
    assert "https://learning.example.org/evaluation/aware/six-months" in outbox[0].body
    assert "Hello Sam Patel" in outbox[0].body and "optional" in outbox[0].body
    again = runner.invoke(args=["evaluations", "invite"])
    assert "E-mailed 0 of 0" in again.output and len(outbox) == 1
    with app.app_context():
        row = db.session.scalar(select(EvaluationInvitation))
        assert (row.user_id, row.stage, row.state) == (learner.id, SIX_MONTHS, "invited")
        assert row.emailed_on == evaluation.today_utc()


def test_without_mail_the_command_says_so(app):
    result = app.test_cli_runner().invoke(args=["evaluations", "invite"])
    assert result.exit_code == 0 and "E-mail is not set up" in result.output


def test_the_evaluation_forms_refuse_a_post_without_its_csrf_token_and_pages_never_write(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    learner = make_user("learner")
    add_team(app, "Housing", level="aware", members=[learner])
    client, signing_in = sign_in_form(app, learner.email)
    assert signing_in.status_code == 302
    for url in ("/", MODULE, "/evaluation/aware/before"):
        assert BEFORE_TITLE in text(client, url) or "Send my answers" in text(client, url)
        client.head(url)
    for url, data in [
        ("/evaluation/aware/before", {"confidence": "1"}),
        ("/evaluation/aware/before/not-now", {}),
        ("/evaluation/aware/before/stop", {}),
    ]:
        assert client.post(url, data=data).status_code == 400, url
    with app.app_context():
        assert db.session.scalars(select(EvaluationResponse)).all() == []
        assert db.session.scalars(select(EvaluationInvitation)).all() == []


def test_results_belong_to_the_scheme_they_were_answered_under(app, make_user):
    learners = [make_user("learner") for _ in range(5)]
    hampshire = load_scheme("hampshire")
    with app.app_context():
        for person in learners:
            evaluation.record_answer(person.id, hampshire, "informed", AFTER, {"intention": "3"})
        ours = evaluation.evaluation_results("informed", AFTER, scheme=hampshire)
        intention = next(q for q in ours.questions if q.key == "intention")
        assert ours.responses == 5 and dict(intention.counts)["Mostly"] == 5
        assert evaluation.evaluation_results("informed", AFTER).suppressed  # the site's own scheme: none
