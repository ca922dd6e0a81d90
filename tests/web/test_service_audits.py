"""Service audits: managers audit their teams, admins any team or a service; re-audits show what moved."""

from __future__ import annotations

import csv
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from tests.support.pages import assert_refused_without_token
from tests.web.conftest import events, signed_in
from tilearn.engine.levels import load_scheme
from tilearn.extensions import db
from tilearn.models import ServiceAudit, ServiceAuditAction

FRAMEWORK = load_scheme("west-midlands").service_audit
assert FRAMEWORK is not None
KEYS = [c.key for _p, c in FRAMEWORK.criteria()]


def ratings(default: str = "amber", **by_key: str) -> dict[str, str]:
    """A complete form: every criterion `default`, some set otherwise (keys with _ for . and -)."""
    form = {f"status-{key}": default for key in KEYS}
    for name, status in by_key.items():
        form[f"status-{name.replace('__', '.').replace('_', '-')}"] = status
    return form


def new_audit(client, team_id: int, form: dict[str, str]) -> int:
    response = client.post(f"/manage/audits/teams/{team_id}/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_every_criterion_needs_a_rating_and_nothing_is_saved_until_then(app, organisation):
    client = signed_in(app, organisation.manager_a)
    form = ratings()
    del form["status-safety.policy"]
    response = client.post(f"/manage/audits/teams/{organisation.team_a}/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and 'href="#status-safety.policy"' in page
    assert "Choose red, amber or green for: A written policy" in page
    assert 'value="amber" checked' in page  # what was chosen stays chosen
    with app.app_context():
        assert db.session.scalar(select(ServiceAudit)) is None


def test_a_manager_audits_their_team_and_a_re_audit_shows_what_moved(app, organisation):
    org = organisation
    client = signed_in(app, org.manager_a)
    index = client.get("/manage/audits/").get_data(as_text=True)
    assert "Housing" in index and "Libraries" not in index and "Audit a service" not in index
    blank = client.get(f"/manage/audits/teams/{org.team_a}/new").get_data(as_text=True)
    assert "Safety" in blank and "Empowerment" in blank and "Red: not yet met" in blank
    assert " checked" not in blank and 'name="csrf_token"' in blank

    first_form = ratings("red", safety__policy="green")
    first_form["description-safety.policy"] = "Signed off in March."
    first_form["evidence-safety.policy"] = "Board minutes, item 4."
    first = new_audit(client, org.team_a, first_form)
    page = client.get(f"/manage/audits/{first}").get_data(as_text=True)
    assert "Housing: audit of" in page and "Nothing: this is the first audit" in page
    assert "Signed off in March." in page and "Board minutes, item 4." in page
    assert "What moved" not in page
    added = client.post(
        f"/manage/audits/{first}/actions",
        data={
            "action": "Write a first-contact policy",
            "owner": "Team leader",
            "criterion": "trustworthiness.intake-purpose",
            "due-day": "31",
            "due-month": "3",
            "due-year": "2027",
        },
    )
    assert added.status_code == 302
    client.post(
        f"/manage/audits/{first}/actions", data={"action": "Put rights posters up", "owner": "Office manager"}
    )
    with app.app_context():
        poster = db.session.scalar(
            select(ServiceAuditAction).where(ServiceAuditAction.owner == "Office manager")
        )
    assert client.post(f"/manage/audits/{first}/actions/{poster.id}", data={"done": "yes"}).status_code == 302

    again = client.get(f"/manage/audits/{first}/again")
    assert again.headers["Location"].endswith(f"/manage/audits/teams/{org.team_a}/new")
    prefilled = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "This starts from the last audit" in prefilled and "Signed off in March." in prefilled
    assert prefilled.count('value="red" checked') == len(KEYS) - 1
    second_form = ratings("red", safety__policy="amber", choice__pace="green")
    second = new_audit(client, org.team_a, second_form)
    page = client.get(f"/manage/audits/{second}").get_data(as_text=True)
    moved = page.split('id="moved"')[1].split("</table>")[0]
    assert (
        "A written policy or statement commits" in moved and "People decide how much they take part" in moved
    )
    assert moved.count("<tr") == 3  # the heading and the two criteria that moved
    assert re.search(r"commits.*?Green</strong>.*?Amber</strong>.*?Worse", moved, re.S)
    assert re.search(r"at what pace.*?Red</strong>.*?Green</strong>.*?Better", moved, re.S)
    # the open action carried over; the done one stayed with the first audit
    assert "Write a first-contact policy" in page and "Put rights posters up" not in page
    assert "31 March 2027" in page

    subject = f"team:{org.team_a}"
    created = events(app, "service_audit.created")
    assert [(actor, s) for actor, s, _d in created] == [(org.manager_a.id, subject)] * 2
    assert created[1][2] == f"audit:{second}; red {len(KEYS) - 2}, amber 1, green 1"
    assert (org.manager_a.id, subject, f"audit:{first}; action:{poster.id} done") in events(
        app, "service_audit.updated"
    )


def test_the_chart_is_an_svg_with_the_counts_and_a_table(app, organisation):
    client = signed_in(app, organisation.manager_a)
    first = new_audit(client, organisation.team_a, ratings("red"))
    second = new_audit(
        client, organisation.team_a, ratings("green", safety__policy="amber", safety__mandate="red")
    )
    page = client.get(f"/manage/audits/{second}").get_data(as_text=True)
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">' in svg and '<desc id="chart-desc">' in svg
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    safety = len(FRAMEWORK.principles[0].criteria)
    # first audit: every Safety criterion red; second: 1 red, 1 amber, the rest green
    assert f">R{safety}</text>" in svg and f">G{safety - 2}</text>" in svg
    assert (
        svg.count('fill="#d4351c"') == len(FRAMEWORK.principles) + 1
    )  # every principle red once, Safety again
    table = page.split('id="chart-table"', 1)[1].split("</table>", 1)[0]
    assert f"{safety} red, 0 amber, 0 green" in table and f"1 red, 1 amber, {safety - 2} green" in table
    assert table.count("<tr") == 3
    assert first < second


def test_managers_of_other_teams_get_404_for_everything(app, organisation):
    org = organisation
    audit = new_audit(signed_in(app, org.manager_a), org.team_a, ratings())
    other = signed_in(app, org.manager_b)
    for url in (
        f"/manage/audits/{audit}",
        f"/manage/audits/{audit}/edit",
        f"/manage/audits/{audit}/again",
        f"/manage/audits/{audit}/audit.csv",
        f"/manage/audits/{audit}/audit.pdf",
        f"/manage/audits/teams/{org.team_a}/new",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/manage/audits/{audit}/edit", data=ratings("green")).status_code == 404
    assert (
        other.post(f"/manage/audits/{audit}/actions", data={"action": "x", "owner": "y"}).status_code == 404
    )
    assert other.post(f"/manage/audits/teams/{org.team_a}/new", data=ratings()).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(ServiceAuditAction)) is None
        assert (
            db.session.scalar(select(ServiceAudit).where(ServiceAudit.id == audit)).ratings.count("green")
            == 0
        )
    assert "Housing" not in other.get("/manage/audits/").get_data(as_text=True)


def test_an_action_of_another_audit_is_a_404(app, organisation):
    client = signed_in(app, organisation.manager_a)
    one = new_audit(client, organisation.team_a, ratings())
    two = new_audit(client, organisation.team_a, ratings())
    client.post(f"/manage/audits/{one}/actions", data={"action": "Only on one", "owner": "Me"})
    with app.app_context():
        action = db.session.scalar(select(ServiceAuditAction).where(ServiceAuditAction.audit_id == one))
    assert client.post(f"/manage/audits/{two}/actions/{action.id}", data={"done": "yes"}).status_code == 404


def test_bad_action_input_gets_plain_messages(app, organisation):
    client = signed_in(app, organisation.manager_a)
    audit = new_audit(client, organisation.team_a, ratings())
    response = client.post(
        f"/manage/audits/{audit}/actions",
        data={"action": "", "owner": "", "due-day": "31", "due-month": "2", "due-year": "2027"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter what will be done" in page and "Enter who will do it" in page
    assert "Enter the due date as a real date" in page and 'href="#due-day"' in page


def test_an_admin_audits_a_named_service_and_edits_it(app, organisation):
    admin = signed_in(app, organisation.admin)
    assert admin.post("/manage/audits/services/new", data={**ratings(), "service": "  "}).status_code == 400
    response = admin.post("/manage/audits/services/new", data={**ratings("green"), "service": "Front  desk"})
    audit = int(response.headers["Location"].rsplit("/", 1)[1])
    index = admin.get("/manage/audits/").get_data(as_text=True)
    assert "Front desk" in index and "Housing" in index and "Libraries" in index
    assert (
        admin.get(f"/manage/audits/{audit}/again")
        .headers["Location"]
        .endswith("services/new?service=Front+desk")
    )
    edited = admin.post(f"/manage/audits/{audit}/edit", data=ratings("green", empowerment__welcome="red"))
    assert edited.status_code == 302
    assert events(app, "service_audit.updated")[-1] == (
        organisation.admin.id,
        "service:Front desk",
        f"audit:{audit}; red 1, amber 0, green {len(KEYS) - 1}",
    )
    # a manager never sees a named service's audit
    manager = signed_in(app, organisation.manager_a)
    assert manager.get(f"/manage/audits/{audit}").status_code == 404
    assert manager.get("/manage/audits/services/new").status_code == 403


def test_csv_and_pdf_hold_the_audit_and_are_audited(app, organisation):
    org = organisation
    client = signed_in(app, org.manager_a)
    first = new_audit(client, org.team_a, ratings("red"))
    form = ratings("red", safety__policy="green")
    form["description-safety.policy"] = '=HYPERLINK("x")'
    form["evidence-safety.policy"] = "Minutes, 3 March"
    second = new_audit(client, org.team_a, form)
    client.post(
        f"/manage/audits/{second}/actions",
        data={"action": "Ask people what language they speak", "owner": "Ravi"},
    )

    response = client.get(f"/manage/audits/{second}/audit.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["principle", "criterion", "status", "was", "description", "evidence"]
    policy = next(r for r in rows if r[1].startswith("A written policy"))
    assert policy == [
        "Safety",
        "A written policy or statement commits the organisation to trauma-informed principles.",
        "Green",
        "Red",
        '\'=HYPERLINK("x")',
        "Minutes, 3 March",
    ]
    assert len([r for r in rows[1:] if r and r[0] != "action" and len(r) == 6]) == len(KEYS)
    actions = rows[rows.index(["action", "criterion", "owner", "due", "done"]) + 1 :]
    assert actions == [["Ask people what language they speak", "The audit as a whole", "Ravi", "", "not yet"]]

    pdf = client.get(f"/manage/audits/{second}/audit.pdf")
    assert pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Trauma-informed service audit: Housing" in text
    assert "Status: Green: met (was Red)" in text and "Evidence: Minutes, 3 March" in text
    assert "Ask people what language they speak" in text and "Owner: Ravi" in text
    assert "Empowerment" in text and "People know how to complain" in text
    exported = events(app, "service_audit.exported")
    assert exported == [
        (org.manager_a.id, f"team:{org.team_a}", f"audit:{second}; csv"),
        (org.manager_a.id, f"team:{org.team_a}", f"audit:{second}; pdf"),
    ]
    assert first < second


def test_a_scheme_can_bring_its_own_criteria(tmp_path):
    (tmp_path / "mine.yaml").write_text(
        "name: Ours\nprinciples:\n  - key: calm\n    name: Calm\n"
        "    criteria:\n      - key: quiet\n        text: A quiet room.\n",
        encoding="utf-8",
    )
    scheme_file = tmp_path / "scheme.yaml"
    shipped = (load_scheme.__globals__["SHIPPED_SCHEMES"] / "west-midlands.yaml").read_text(encoding="utf-8")
    scheme_file.write_text(
        shipped.replace("service_audit: trauma-informed-service", "service_audit: mine.yaml"),
        encoding="utf-8",
    )
    framework = load_scheme(str(scheme_file)).service_audit
    assert framework is not None and [c.text for _p, c in framework.criteria()] == ["A quiet room."]


def test_the_audit_forms_refuse_a_post_without_its_csrf_token(make_app, make_user):
    from tests.web.conftest import add_team
    from tilearn.services import service_audits

    app = make_app(WTF_CSRF_ENABLED=True)
    manager, admin = make_user("manager"), make_user("admin")
    team = add_team(app, "Housing", managers=[manager])
    with app.app_context():
        audit = service_audits.record_audit(manager.id, FRAMEWORK, ratings("red"), team_id=team)
        action = service_audits.add_action(manager.id, audit.id, {"action": "Do it", "owner": "Me"})
        audit_id, action_id = audit.id, action.id
    posts = {
        manager: [
            (f"/manage/audits/teams/{team}/new", ratings("green")),
            (f"/manage/audits/{audit_id}/edit", ratings("green")),
            (f"/manage/audits/{audit_id}/actions", {"action": "Another", "owner": "Me"}),
            (f"/manage/audits/{audit_id}/actions/{action_id}", {"done": "yes"}),
        ],
        admin: [("/manage/audits/services/new", {**ratings("green"), "service": "Front desk"})],
    }
    assert_refused_without_token(app, posts)
    with app.app_context():
        assert [a.ratings.count("green") for a in db.session.scalars(select(ServiceAudit))] == [0]
        assert [(a.action, a.done_at) for a in db.session.scalars(select(ServiceAuditAction))] == [
            ("Do it", None)
        ]
