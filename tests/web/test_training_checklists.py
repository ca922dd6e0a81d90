"""Choosing quality training: trainers and admins answer the checklist for a module version or an offer."""

from __future__ import annotations

from sqlalchemy import select

from tests.support.versions import MODULE_ID, module_text
from tests.web.test_training_needs import events, signed_in
from tilearn.engine.levels import load_scheme
from tilearn.extensions import db
from tilearn.models import TrainingChecklist
from tilearn.services import module_versions
from tilearn.web.library_state import check_for_changes

CHECKLIST = load_scheme("west-midlands").training_checklist
assert CHECKLIST is not None


def answers(answer: str = "yes", **notes: str) -> dict[str, str]:
    form = {f"answer-{q.key}": answer for q in CHECKLIST.questions}
    form.update({f"notes-{key.replace('_', '-')}": text for key, text in notes.items()})
    return form


def test_a_trainer_answers_for_each_version_and_sees_them_beside_the_versions(make_app, make_user, sign_in):
    app = make_app(LIBRARY_CHECK_SECONDS=0)
    trainer = make_user("trainer", name="Tara Trainer")
    client = signed_in(app, sign_in, trainer)
    with app.app_context():
        module_versions.publish(trainer.id, MODULE_ID, module_text("1.0", "First."), {}, "First.", False)
        assert check_for_changes(app)
    index = client.get("/training-checklists/").get_data(as_text=True)
    assert f'href="/training-checklists/modules/{MODULE_ID}/new"' in index and "None yet" in index
    form = client.get(f"/training-checklists/modules/{MODULE_ID}/new").get_data(as_text=True)
    assert "version 1.0" in form and "Does the training say clearly which staff it is meant for?" in form

    missing = answers()
    del missing["answer-who-for"]
    refused = client.post(f"/training-checklists/modules/{MODULE_ID}/new", data=missing)
    assert refused.status_code == 400
    assert 'href="#answer-who-for"' in refused.get_data(as_text=True)
    first = client.post(
        f"/training-checklists/modules/{MODULE_ID}/new",
        data={
            **answers("partly", who_for="Says all staff; needs narrowing."),
            "notes": "Reviewed with the lead.",
        },
    )
    assert first.status_code == 302
    shown = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "version 1.0" in shown and "Partly" in shown and "Says all staff; needs narrowing." in shown
    assert "Reviewed with the lead." in shown and "Tara Trainer" in shown

    with app.app_context():
        module_versions.publish(trainer.id, MODULE_ID, module_text("1.1", "Second."), {}, "Second.", False)
        assert check_for_changes(app)
    assert (
        client.post(f"/training-checklists/modules/{MODULE_ID}/new", data=answers("yes")).status_code == 302
    )
    history = client.get(f"/training-checklists/modules/{MODULE_ID}").get_data(as_text=True)
    rows = history.split("<tbody", 1)[1].split("</tbody>", 1)[0].split("<tr")[1:]
    assert len(rows) == 2 and "1.1 (current)" in rows[0] and "1.0" in rows[1] and "(current)" not in rows[1]
    with app.app_context():
        kept = [(c.module_id, c.module_version) for c in db.session.scalars(select(TrainingChecklist))]
        assert kept == [(MODULE_ID, "1.0"), (MODULE_ID, "1.1")]
        first_id = db.session.scalar(
            select(TrainingChecklist.id).where(TrainingChecklist.module_version == "1.0")
        )
    recorded = events(app, "training_checklist.recorded")
    assert recorded[0] == (
        trainer.id,
        f"module:{MODULE_ID}",
        f"checklist:{first_id}; version 1.0; yes 0 of 7",
    )
    assert recorded[1][2].endswith("version 1.1; yes 7 of 7")


def test_an_admin_checks_a_training_offer(app, make_user, sign_in):
    admin = signed_in(app, sign_in, make_user("admin", name="Ada Admin"))
    blank = admin.post("/training-checklists/offers/new", data=answers())
    assert blank.status_code == 400 and "Enter the name of the training offer" in blank.get_data(as_text=True)
    saved = admin.post(
        "/training-checklists/offers/new", data={**answers("no"), "offer": "Resilience day, Acme"}
    )
    page = admin.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Resilience day, Acme" in page and page.count("<strong>No</strong>") == len(CHECKLIST.questions)
    assert "Resilience day, Acme" in admin.get("/training-checklists/").get_data(as_text=True)
    assert admin.get("/training-checklists/modules/no-such-module/new").status_code == 404
    assert admin.get("/training-checklists/999").status_code == 404


def test_managers_and_learners_cannot_open_checklists(app, make_user, sign_in):
    for role in ("manager", "learner"):
        client = signed_in(app, sign_in, make_user(role))
        assert client.get("/training-checklists/").status_code == 403
        assert (
            client.post("/training-checklists/offers/new", data={**answers(), "offer": "X"}).status_code
            == 403
        )
    with app.app_context():
        assert db.session.scalar(select(TrainingChecklist)) is None


def test_the_checklist_forms_refuse_a_post_without_its_csrf_token(make_app, make_user):
    from tests.conftest import PASSWORD, csrf_token

    app = make_app(WTF_CSRF_ENABLED=True)
    trainer = make_user("trainer")
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    page = client.get("/sign-in").get_data(as_text=True)
    signed = {"email": trainer.email, "password": PASSWORD, "csrf_token": csrf_token(page)}
    assert client.post("/sign-in", data=signed).status_code == 302
    assert client.post(f"/training-checklists/modules/{MODULE_ID}/new", data=answers()).status_code == 400
    assert client.post("/training-checklists/offers/new", data={**answers(), "offer": "X"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(TrainingChecklist)) is None
