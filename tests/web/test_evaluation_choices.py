"""Whether to ask at all: a learner's "Stop asking me about evaluations", and the admin's setting."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.support.learning import MODULE, complete, make_record
from tests.support.pages import SignedInClient, body, error_summary
from tests.web.conftest import add_team
from tests.web.test_evaluation import AFTER_TITLE, BEFORE_TITLE, SIX_TITLE, seven_months_ago, text
from tilearn.extensions import db
from tilearn.models import AuditEvent, EvaluationInvitation, EvaluationOptOut, EvaluationResponse
from tilearn.services import evaluation, people
from tilearn.services.organisation import current_settings

STOP = "Stop asking me about evaluations"
AGAIN = "Ask me about evaluations again"
SETTINGS = {
    "name": "Acme Trust",
    "support_contacts": "Wellbeing team | ext 4321",
    "level_scheme": "west-midlands",
}


def opt_outs(app) -> list[tuple[int, object]]:
    with app.app_context():
        return [(row.user_id, row.stopped_on) for row in db.session.scalars(select(EvaluationOptOut))]


def test_a_learner_stops_every_invitation_in_one_choice_and_can_ask_again(app, make_user, sign_in):
    learner = make_user("learner")
    add_team(app, "Housing", level="aware", members=[learner])
    client = app.test_client()
    sign_in(learner, target=client)
    my_learning = text(client, "/")
    assert BEFORE_TITLE in my_learning and my_learning.count(STOP) == 2  # on the invitation, and below
    assert STOP in text(client, MODULE) and STOP in text(client, "/evaluation/aware/before")

    for _ in range(2):  # a double click stops once
        stopped = client.post("/evaluation/stop-asking", data={"back": MODULE})
        assert stopped.status_code == 302 and stopped.headers["Location"] == MODULE
    assert opt_outs(app) == [(learner.id, evaluation.today_utc())]
    assert "We will not invite you to evaluation questionnaires any more" in text(client, MODULE)
    my_learning = text(client, "/")
    assert BEFORE_TITLE not in my_learning and STOP not in my_learning and AGAIN in my_learning
    assert "managers and trainers do not see it" in my_learning
    assert BEFORE_TITLE not in text(client, MODULE)
    complete(client)
    assert AFTER_TITLE not in text(client, f"{MODULE}/finished") and AFTER_TITLE not in text(client, "/")
    # An old link still opens the questionnaire: choosing to answer is not being asked.
    old_link = text(client, "/evaluation/aware/after")
    assert "Send my answers" in old_link and STOP not in old_link
    download = json.loads(text(client, "/my-data"))
    assert download["stopped_evaluation_invitations"] == [{"stopped_on": str(evaluation.today_utc())}]

    for _ in range(2):
        again = client.post("/evaluation/ask-again", data={"back": "//elsewhere.example"})
        assert again.status_code == 302 and again.headers["Location"] == "/"
    assert opt_outs(app) == []
    my_learning = text(client, "/")
    assert "We will ask you about evaluations again" in my_learning
    assert AFTER_TITLE in my_learning and AGAIN not in my_learning
    assert json.loads(text(client, "/my-data"))["stopped_evaluation_invitations"] == []
    with app.app_context():  # stopping declined nothing: each questionnaire is as it was
        assert db.session.scalars(select(EvaluationInvitation)).all() == []


def test_stopping_is_erased_with_the_learner(app, make_user, sign_in):
    admin, learner = make_user("admin"), make_user("learner")
    client = app.test_client()
    sign_in(learner, target=client)
    client.post("/evaluation/stop-asking")
    assert [user_id for user_id, _day in opt_outs(app)] == [learner.id]
    with app.app_context():
        people.erase_person(admin.id, learner.id)
        db.session.commit()
        assert "evaluation" not in " ".join(db.session.scalars(select(AuditEvent.detail)).all())
    assert opt_outs(app) == []


def six_months_on(app, make_user, *emails: str) -> list:
    """Learners whose six-month questionnaire is waiting."""
    found = []
    for email in emails:
        person = make_user("learner", email=email)
        make_record(app, person.id)
        seven_months_ago(app, person.id)
        found.append(person)
    return found


def test_the_daily_email_leaves_out_a_learner_who_said_stop(make_app, make_user, sign_in):
    app = make_app(MAIL_BACKEND="locmem", MAIL_DEFAULT_SENDER="learning@example.org")
    stopped, asked = six_months_on(app, make_user, "stopped@example.org", "asked@example.org")
    client = app.test_client()
    sign_in(stopped, target=client)
    assert SIX_TITLE in text(client, "/")
    client.post("/evaluation/stop-asking")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["evaluations", "invite"])
    assert "E-mailed 1 of 1" in result.output, result.output
    outbox = app.extensions["mailman"].outbox
    assert [m.to for m in outbox] == [["asked@example.org"]]
    assert f'"{STOP}"' in outbox[0].body
    client.post("/evaluation/ask-again")
    assert "E-mailed 1 of 1" in runner.invoke(args=["evaluations", "invite"]).output
    assert [m.to for m in outbox][-1] == ["stopped@example.org"]


def test_an_admin_can_turn_invitations_off_for_everyone_and_on_again(make_app, make_user, sign_in):
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_BACKEND="locmem", MAIL_DEFAULT_SENDER="learning@example.org")
    admin = make_user("admin")
    (waiting,) = six_months_on(app, make_user, "waiting@example.org")
    learner = make_user("learner")
    add_team(app, "Housing", level="aware", members=[learner])
    browser = SignedInClient(app, admin)
    page = browser.text("/admin/settings")
    assert "Invite learners to evaluation questionnaires" in page
    assert 'value="yes" checked' in page and 'value="no" checked' not in page
    unanswered = browser.post("/admin/settings", data=SETTINGS)
    assert unanswered.status_code == 200 and error_summary(body(unanswered)) == [
        ("#invite_to_evaluations", "Choose whether to invite learners to evaluation questionnaires")
    ]
    for _ in range(2):  # saving the same twice is harmless
        assert (
            browser.post("/admin/settings", data=SETTINGS | {"invite_to_evaluations": "no"}).status_code
            == 302
        )
    assert 'value="no" checked' in browser.text("/admin/settings")
    with app.app_context():
        assert current_settings().invite_to_evaluations is False
        assert current_settings().name == "Acme Trust"
        details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "settings.updated"))
        assert [d.rsplit(", ", 1)[-1] for d in details] == ["evaluation invitations=off"] * 2

    person = SignedInClient(app, learner)
    my_learning = person.text("/")
    assert BEFORE_TITLE not in my_learning and STOP not in my_learning and AGAIN not in my_learning
    assert BEFORE_TITLE not in person.text(MODULE)
    assert person.post("/evaluation/aware/before", data={"confidence": "2"}).status_code == 200  # an old link
    with app.app_context():
        assert len(db.session.scalars(select(EvaluationResponse)).all()) == 1
    result = app.test_cli_runner().invoke(args=["evaluations", "invite"])
    assert "turned off in the organisation settings: nobody was e-mailed" in result.output
    assert getattr(app.extensions["mailman"], "outbox", []) == []  # made on the first e-mail sent

    browser.post("/admin/settings", data=SETTINGS | {"invite_to_evaluations": "yes"})
    assert SIX_TITLE in SignedInClient(app, waiting).text("/") and STOP in person.text("/")
    assert "E-mailed 1 of 1" in app.test_cli_runner().invoke(args=["evaluations", "invite"]).output
    assert [m.to for m in app.extensions["mailman"].outbox] == [["waiting@example.org"]]


def test_the_choices_refuse_a_post_without_its_csrf_token(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    learner = make_user("learner")
    person = SignedInClient(app, learner)
    for url in ("/evaluation/stop-asking", "/evaluation/ask-again"):
        assert person.client.post(url).status_code == 400, url
    assert opt_outs(app) == []
    assert person.post("/evaluation/stop-asking").status_code == 302
    assert person.client.post("/evaluation/ask-again").status_code == 400
    assert [user_id for user_id, _day in opt_outs(app)] == [learner.id]
