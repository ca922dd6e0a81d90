"""Choosing quality training: trainers and admins answer the checklist for a module version or an offer."""

from __future__ import annotations

import csv
import io

from pypdf import PdfReader
from sqlalchemy import select

from tests.support.pages import sign_in_form
from tests.support.versions import MODULE_ID, module_text
from tests.web.conftest import events, signed_in
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


def test_a_trainer_answers_for_each_version_and_sees_them_beside_the_versions(make_app, make_user):
    app = make_app(LIBRARY_CHECK_SECONDS=0)
    trainer = make_user("trainer", name="Tara Trainer")
    client = signed_in(app, trainer)
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


def test_an_admin_checks_a_training_offer(app, make_user):
    admin = signed_in(app, make_user("admin", name="Ada Admin"))
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


def test_managers_and_learners_cannot_open_checklists(app, make_user):
    admin = signed_in(app, make_user("admin"))
    saved = admin.post("/training-checklists/offers/new", data={**answers(), "offer": "Acme"})
    kept = saved.headers["Location"].rsplit("/", 1)[1]
    for role in ("manager", "learner"):
        client = signed_in(app, make_user(role))
        assert client.get("/training-checklists/").status_code == 403
        for download in (f"{kept}.csv", f"{kept}.pdf", "all.csv"):
            assert client.get(f"/training-checklists/{download}").status_code == 403
        assert (
            client.post("/training-checklists/offers/new", data={**answers(), "offer": "X"}).status_code
            == 403
        )
    with app.app_context():
        assert [c.offer for c in db.session.scalars(select(TrainingChecklist))] == ["Acme"]
    for download in (f"{kept}.csv", f"{kept}.pdf", "all.csv"):
        assert "/sign-in" in app.test_client().get(f"/training-checklists/{download}").headers["Location"]
    assert events(app, "training_checklist.exported") == []


def test_the_checklist_forms_refuse_a_post_without_its_csrf_token(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    trainer = make_user("trainer")
    client, signing_in = sign_in_form(app, trainer.email)
    assert signing_in.status_code == 302
    assert client.post(f"/training-checklists/modules/{MODULE_ID}/new", data=answers()).status_code == 400
    assert client.post("/training-checklists/offers/new", data={**answers(), "offer": "X"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(TrainingChecklist)) is None


def csv_rows(response) -> list[list[str]]:
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


HEADINGS = [
    "checklist id",
    "checklist",
    "module id",
    "module version",
    "training offer",
    "completed by",
    "completed on",
    "question number",
    "question",
    "answer",
    "note",
    "overall notes",
]


def test_checklists_download_as_csv_with_formulas_neutralised_and_are_audited(app, make_user):
    trainer = make_user("trainer", name="Tara Trainer")
    client = signed_in(app, trainer)
    assert "Download all checklists" not in client.get("/training-checklists/").get_data(as_text=True)
    module = client.post(
        "/training-checklists/modules/worked-example/new",
        data={**answers("partly", who_for='=HYPERLINK("http://x")'), "notes": "Fine, for now."},
    )
    offer = client.post(
        "/training-checklists/offers/new",
        data={**answers("not-sure"), "offer": "+Resilience day, Acme", "notes": "@SUM(1)"},
    )
    module_id = int(module.headers["Location"].rsplit("/", 1)[1])
    offer_id = int(offer.headers["Location"].rsplit("/", 1)[1])
    shown = client.get(f"/training-checklists/{module_id}").get_data(as_text=True)
    assert f'href="/training-checklists/{module_id}.csv"' in shown
    assert f'href="/training-checklists/{module_id}.pdf"' in shown
    index = client.get("/training-checklists/").get_data(as_text=True)
    assert 'href="/training-checklists/all.csv"' in index

    rows = csv_rows(client.get(f"/training-checklists/{module_id}.csv"))
    assert rows[0] == HEADINGS and len(rows) == 1 + len(CHECKLIST.questions)
    with app.app_context():
        day = f"{db.session.get(TrainingChecklist, module_id).created_at:%Y-%m-%d}"
    questions = [q.text for q in CHECKLIST.questions]
    who_for = 1 + [q.key for q in CHECKLIST.questions].index("who-for")
    assert rows[who_for] == [
        str(module_id),
        "Choosing quality training",
        "worked-example",
        "1.2",
        "",
        "Tara Trainer",
        day,
        str(who_for),
        questions[who_for - 1],
        "Partly",
        '\'=HYPERLINK("http://x")',
        "Fine, for now.",
    ]
    assert [r[8] for r in rows[1:]] == questions and {r[9] for r in rows[1:]} == {"Partly"}

    every = csv_rows(client.get("/training-checklists/all.csv"))
    assert every[0] == HEADINGS and len(every) == 1 + 2 * len(questions)
    assert every[1 : 1 + len(questions)] == rows[1:]
    offers = every[1 + len(questions) :]
    assert {(r[0], r[2], r[3], r[4], r[9], r[11]) for r in offers} == {
        (str(offer_id), "", "", "'+Resilience day, Acme", "Not sure", "'@SUM(1)")
    }
    assert events(app, "training_checklist.exported") == [
        (trainer.id, "module:worked-example", f"checklist:{module_id}; csv"),
        (trainer.id, "checklists:all", "2 checklists; csv"),
    ]


def test_a_checklist_downloads_as_a_pdf_and_is_audited(app, make_user):
    admin = make_user("admin", name="Ada Admin")
    client = signed_in(app, admin)
    saved = client.post(
        "/training-checklists/offers/new",
        data={
            **answers("yes", evaluated="Six-month follow-up is booked."),
            "answer-who-for": "no",
            "offer": "Resilience day, Acme",
            "notes": "Ask for the trainer’s references.",
        },
    )
    kept = int(saved.headers["Location"].rsplit("/", 1)[1])
    response = client.get(f"/training-checklists/{kept}.pdf")
    assert response.mimetype == "application/pdf"
    assert f"training-checklist-{kept}-" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Choosing quality training: Resilience day, Acme" in text
    assert "by Ada Admin" in text
    assert "3. Does the training say clearly which staff it is meant for? Answer: No" in text
    assert "Answer: Yes Note: Six-month follow-up is booked." in text
    assert text.count("Answer: Yes") == len(CHECKLIST.questions) - 1
    assert "Overall notes Ask for the trainer’s references." in text
    assert reader.metadata.title == "Choosing quality training: Resilience day, Acme"
    assert events(app, "training_checklist.exported") == [
        (admin.id, "offer:Resilience day, Acme", f"checklist:{kept}; pdf")
    ]


def test_a_download_of_a_checklist_that_does_not_exist_is_a_404(app, make_user):
    client = signed_in(app, make_user("trainer"))
    client.post("/training-checklists/offers/new", data={**answers(), "offer": "Acme"})
    for download in ("999.csv", "999.pdf"):
        assert client.get(f"/training-checklists/{download}").status_code == 404
    assert events(app, "training_checklist.exported") == []
