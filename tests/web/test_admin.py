"""The admin area through the browser's eyes, with CSRF switched on as in production."""

from __future__ import annotations

import csv
import html
import io
import re
import urllib.parse

from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.support.learning import make_record
from tests.support.pages import SignedInClient, body, error_summary, sign_in_form, title
from tilearn.config import Defaults
from tilearn.extensions import db
from tilearn.models import AuditEvent, CompletionRecord, OrganisationSettings, Team, User
from tilearn.services import people, teams
from tilearn.services.organisation import current_settings

HEADER = "name,email,team,role,expected level\n"


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_every_admin_form_refuses_a_post_without_its_csrf_token(csrf_app, admin, browser, make_user):
    learner = make_user()
    with csrf_app.app_context():
        team_id = teams.create_team(admin.id, "Outreach").id
    posts = [
        ("/admin/people/new", {"name": "X", "email": "x@example.org", "roles": "learner"}),
        (f"/admin/people/{learner.id}", {"name": "Changed", "email": learner.email, "roles": "learner"}),
        (f"/admin/people/{learner.id}/password-link", {}),
        ("/admin/sign-in-locks/lift", {"scope": "account", "key": learner.email}),
        (f"/admin/people/{learner.id}/disable", {}),
        (f"/admin/people/{learner.id}/enable", {}),
        (f"/admin/people/{learner.id}/erase", {}),
        ("/admin/people/import", {"text": HEADER + "Y,y@example.org,,learner,\n"}),
        ("/admin/teams/new", {"name": "New team"}),
        (f"/admin/teams/{team_id}", {"name": "Renamed"}),
        ("/admin/settings", {"name": "Changed", "support_contacts": "A | b", "level_scheme": "hampshire"}),
        ("/admin/certificates/revoke", {"record": "1", "reason": "r", "confirmed": "yes"}),
    ]
    before = audit_actions(csrf_app)
    for url, data in posts:
        refused = browser.client.post(url, data=data)
        assert refused.status_code == 400 and "Please try that again" in body(refused), url
    assert audit_actions(csrf_app) == before
    with csrf_app.app_context():
        assert db.session.get(User, learner.id).name == learner.name
        assert db.session.scalar(select(func.count()).select_from(User)) == 2
        assert db.session.get(OrganisationSettings, 1) is None


def test_admin_is_in_the_navigation_only_for_admins(csrf_app, browser, make_user):
    assert 'href="/admin/"' in browser.text("/")
    for role in ("learner", "trainer", "manager"):
        other = SignedInClient(csrf_app, make_user(role))
        assert 'href="/admin/"' not in other.text("/")
        assert other.get("/admin/people").status_code == 403


def set_password_link(page: str) -> str:
    """The set-password link shown once on the page, as a path."""
    found = re.search(r'value="https://localhost(/set-password/[A-Za-z0-9_-]+)"', page)
    assert found, "no set-password link on the page"
    return found.group(1)


def test_an_admin_adds_a_person_and_gives_them_a_link_to_set_their_own_password(csrf_app, admin, browser):
    with csrf_app.app_context():
        team_id = teams.create_team(admin.id, "Outreach", "aware").id
    form = browser.text("/admin/people/new")
    assert "<legend" in form and 'id="roles"' in form and 'id="roles-2"' in form  # checkboxes in a fieldset
    added = browser.post(
        "/admin/people/new",
        data={
            "name": "Sam Patel",
            "email": "Sam@Example.org",
            "roles": ["learner", "manager"],
            "team": str(team_id),
            "expected_level": "informed",
        },
    )
    assert added.status_code == 302
    page = browser.text(added.headers["Location"])
    assert "Sam Patel has been added" in page and "cannot sign in until they set a password" in page
    assert 'type="password"' not in page  # an admin never types a learner's password
    with csrf_app.app_context():
        sam = db.session.scalar(select(User).where(User.email == "sam@example.org"))
        assert (sam.roles, sam.team_id, sam.expected_level) == ({"learner", "manager"}, team_id, "informed")
    made = browser.post(f"/admin/people/{sam.id}/password-link")
    assert made.status_code == 200
    page = body(made)
    link = set_password_link(page)
    assert "It works once and lasts 7 days" in page and "readonly" in page
    assert made.headers["Cache-Control"] == "no-store"
    later = browser.text(f"/admin/people/{sam.id}")
    assert link not in later  # shown once only
    assert "Their set-password link works until" in later and "not been used yet" in later
    assert link not in browser.text("/admin/audit")
    visitor = csrf_app.test_client()
    visitor.environ_base["HTTP_REFERER"] = "https://localhost/"
    form = visitor.get(link).get_data(as_text=True)
    new = "blue kettle wanders softly"
    done = visitor.post(
        link, data={"new_password": new, "new_password_again": new, "csrf_token": csrf_token(form)}
    )
    assert done.status_code == 302
    with csrf_app.app_context():
        assert people.has_password(db.session.get(User, sam.id))
    changed = browser.post(
        f"/admin/people/{sam.id}",
        data={
            "name": "Sam P",
            "email": "sam@example.org",
            "roles": ["trainer"],
            "team": "0",
            "expected_level": "",
        },
    )
    assert changed.status_code == 302
    with csrf_app.app_context():
        sam = db.session.get(User, sam.id)
        assert (sam.name, sam.roles, sam.team_id, sam.expected_level) == ("Sam P", {"trainer"}, None, None)
    assert audit_actions(csrf_app)[-3:] == ["user.created", "user.password_link_created", "user.updated"]


def test_the_link_is_emailed_when_email_is_set_up_and_never_logged(make_app, admin, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_BACKEND="locmem", MAIL_DEFAULT_SENDER="learning@example.org")
    browser = SignedInClient(app, admin)
    with app.app_context():
        sam_id = people.create_person(admin.id, "Sam Patel", "sam@example.org", ["learner"]).id
    page = body(browser.post(f"/admin/people/{sam_id}/password-link"))
    link = set_password_link(page)
    assert "We have also emailed it to sam@example.org" in page
    outbox = app.extensions["mailman"].outbox
    assert [message.to for message in outbox] == [["sam@example.org"]]
    assert f"https://localhost{link}" in outbox[0].body and "7 days" in outbox[0].body
    assert outbox[0].from_email == "learning@example.org"
    token = link.rsplit("/", 1)[1]
    assert token not in caplog.text


def test_form_errors_are_announced_and_linked_from_the_summary(browser, make_user):
    taken = make_user(email="taken@example.org")
    page = body(
        browser.post(
            "/admin/people/new", data={"name": "", "email": "nope", "team": "0", "expected_level": ""}
        )
    )
    assert title(page).startswith("Error: ")
    assert error_summary(page) == [
        ("#name", "Enter the person's name"),
        ("#roles", "Choose at least one role"),
    ]
    page = body(
        browser.post(
            "/admin/people/new",
            data={"name": "A", "email": "nope", "roles": "learner", "team": "0", "expected_level": ""},
        )
    )
    assert error_summary(page) == [("#email", 'Email "nope" is not a valid email address')]
    assert 'aria-describedby="email-error"' in page and 'id="email-error"' in page
    page = body(
        browser.post(
            "/admin/people/new",
            data={"name": "A", "email": taken.email, "roles": "learner", "team": "0", "expected_level": ""},
        )
    )
    assert error_summary(page) == [
        ("#email", f'Email "{taken.email}" already belongs to someone on the site')
    ]


def test_import_shows_every_bad_line_and_adds_nobody(csrf_app, browser):
    text = HEADER + "Good,good@example.org,,learner,\nBad,x,,learner,\nBoss,b@example.org,,boss,\n"
    response = browser.post("/admin/people/import", data={"text": text})
    page = body(response)
    assert response.status_code == 200 and title(page).startswith("Error: ")
    assert error_summary(page) == [
        ("#text", 'line 3: email "x" is not a valid email address'),
        ("#text", 'line 4: role "boss" is not one of learner, trainer, manager, admin'),
    ]
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
    empty = body(browser.post("/admin/people/import", data={"text": " "}))
    assert error_summary(empty) == [("#text", "Paste the people's details, or choose a CSV file")]


def test_import_from_an_uploaded_file_with_a_bom_and_windows_line_endings(csrf_app, browser):
    content = "\ufeff" + HEADER + "Sam,sam@example.org,Outreach,learner;manager,aware\nJo,jo@example.org,,,\n"
    upload = (io.BytesIO(content.replace("\n", "\r\n").encode()), "people.csv", "text/csv")
    response = browser.post("/admin/people/import", data={"file": upload}, content_type="multipart/form-data")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = body(response)
    assert "2 people added" in page and "7 days" in page
    download = re.search(r'<a [^>]*href="data:text/csv;charset=utf-8,([^"]+)"[^>]*download="([^"]+)"', page)
    assert download and download.group(2).endswith(".csv")
    text = urllib.parse.unquote(html.unescape(download.group(1)))
    assert text.startswith("\ufeff")  # so spreadsheets read it as UTF-8
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["name", "email", "link"]
    assert [row[:2] for row in rows[1:]] == [["Sam", "sam@example.org"], ["Jo", "jo@example.org"]]
    visitor = csrf_app.test_client()
    for _name, _email, link in rows[1:]:
        assert link.startswith("https://localhost/set-password/")
        assert visitor.get(link.removeprefix("https://localhost")).status_code == 200
    assert rows[1][2] not in browser.text("/admin/people") and rows[1][2] not in browser.text("/admin/audit")
    with csrf_app.app_context():
        sam = db.session.scalar(select(User).where(User.email == "sam@example.org"))
        assert sam.roles == {"learner", "manager"} and sam.expected_level == "aware"
        assert db.session.scalar(select(Team.name).where(Team.id == sam.team_id)) == "Outreach"
    bad = (io.BytesIO(HEADER.encode() + "Zoë,z@example.org,,,\n".encode("latin-1")), "p.csv", "text/csv")
    page = body(browser.post("/admin/people/import", data={"file": bad}, content_type="multipart/form-data"))
    assert error_summary(page)[0][0] == "#file" and "not UTF-8" in error_summary(page)[0][1]


def test_disabling_signs_the_person_out_on_their_next_request(csrf_app, admin, browser, make_user):
    learner = make_user()
    theirs = SignedInClient(csrf_app, learner)
    assert theirs.get("/").status_code == 200
    assert browser.post(f"/admin/people/{learner.id}/disable").status_code == 302
    gone = theirs.get("/")
    assert gone.status_code == 302 and "/sign-in" in gone.headers["Location"]
    page = browser.text(f"/admin/people/{learner.id}")
    assert "Disabled on" in page and "Enable this person" in page
    browser.post(f"/admin/people/{learner.id}/enable")
    SignedInClient(csrf_app, learner)
    refused = browser.post(f"/admin/people/{admin.id}/disable")
    assert "You cannot disable your own account" in browser.text(refused.headers["Location"])


def test_erasing_asks_first_then_keeps_the_record_under_an_anonymous_name(csrf_app, browser, make_user):
    learner = make_user(name="Sam Private")
    record = make_record(csrf_app, learner.id)
    confirm = browser.text(f"/admin/people/{learner.id}/erase")
    assert "Are you sure you want to erase Sam Private?" in confirm and "cannot be undone" in confirm
    erased = browser.post(f"/admin/people/{learner.id}/erase")
    assert erased.status_code == 302 and f"Erased person {learner.id}" in browser.text(
        erased.headers["Location"]
    )
    page = body(
        browser.post("/admin/certificates/revoke", data={"record": record.verification_code, "reason": "x"})
    )
    assert f"Erased person {learner.id}" in page and "Sam Private" not in page
    _client, refused = sign_in_form(csrf_app, learner.email)
    assert refused.status_code == 200 and "is not right" in body(refused)
    assert browser.get(f"/admin/people/{learner.id}/erase").status_code == 404
    assert "Sam Private" not in browser.text("/admin/audit")


def test_taking_a_manager_off_a_team_removes_their_access_at_once(csrf_app, browser, make_user):
    manager, other = make_user("manager", name="Mo Manager"), make_user("manager", name="Pat Manager")
    added = browser.post(
        "/admin/teams/new",
        data={"name": "Outreach", "expected_level": "informed", "managers": [manager.id, other.id]},
    )
    assert added.status_code == 302
    with csrf_app.app_context():
        team = db.session.scalar(select(Team))
        assert [t.id for t in teams.teams_managed_by(manager.id)] == [team.id]
    listing = browser.text("/admin/teams")
    assert "Outreach" in listing and "Mo Manager, Pat Manager" in listing and "Trauma Informed" in listing
    edit = browser.text(f"/admin/teams/{team.id}")
    assert 'id="managers"' in edit and "checked" in edit
    saved = browser.post(
        f"/admin/teams/{team.id}",
        data={"name": "Outreach", "expected_level": "informed", "managers": [other.id]},
    )
    assert saved.status_code == 302
    with csrf_app.app_context():
        assert teams.teams_managed_by(manager.id) == []
    duplicate = body(browser.post("/admin/teams/new", data={"name": "outreach", "expected_level": ""}))
    assert error_summary(duplicate) == [("#name", 'There is already a team called "outreach"')]
    assert audit_actions(csrf_app)[-3:] == ["team.created", "team.managers_set", "team.managers_set"]


def test_default_support_contacts_are_national_lines_without_placeholders():
    for contact in Defaults.SUPPORT_CONTACTS:
        assert "000 0000" not in contact["detail"]
        assert "Employee Assistance" not in contact["name"]
    assert [c["name"] for c in Defaults.SUPPORT_CONTACTS] == ["Samaritans", "Shout", "NHS 111"]


def test_organisation_settings(csrf_app, browser):
    page = browser.text("/admin/settings")
    assert "Samaritans | 116 123" in page
    assert "Learners only see national helplines at the moment" in page
    assert "Add your organisation's own support" in page and "employee assistance programme" in page
    bad = body(
        browser.post(
            "/admin/settings",
            data={
                "name": "Acme",
                "support_contacts": "Just a name",
                "level_scheme": "hampshire",
                "invite_to_evaluations": "yes",
            },
        )
    )
    assert error_summary(bad) == [("#support_contacts", 'Line 1: write each contact as "Name | detail"')]
    saved = browser.post(
        "/admin/settings",
        data={
            "name": "Acme Trust",
            "support_contacts": "Wellbeing team | ext 4321\n\nSamaritans | 116 123",
            "level_scheme": "hampshire",
            "invite_to_evaluations": "yes",
        },
    )
    assert saved.status_code == 302
    with csrf_app.app_context():
        settings = current_settings()
        assert settings.name == "Acme Trust" and settings.level_scheme == "hampshire"
        assert settings.support_contacts == [
            {"name": "Wellbeing team", "detail": "ext 4321"},
            {"name": "Samaritans", "detail": "116 123"},
        ]
    assert "Acme Trust learning" in browser.text("/")
    prompt = browser.text("/admin/settings")
    assert "Put your organisation's own support" in prompt
    assert "Learners only see national helplines at the moment" not in prompt
    assert audit_actions(csrf_app)[-1] == "settings.updated"


def test_revoking_a_certificate_needs_a_reason_and_a_confirmation(csrf_app, browser, make_user):
    learner = make_user(name="Sam Holder")
    record = make_record(csrf_app, learner.id)
    unknown = body(browser.post("/admin/certificates/revoke", data={"record": "no-such-code", "reason": "x"}))
    assert error_summary(unknown) == [
        ("#record", "No certificate has that verification code or record number")
    ]
    no_reason = body(
        browser.post("/admin/certificates/revoke", data={"record": str(record.id), "reason": " "})
    )
    assert error_summary(no_reason) == [("#reason", "Give a reason for revoking the certificate")]
    link = f"https://localhost/verify/{record.verification_code}"
    confirm = body(
        browser.post("/admin/certificates/revoke", data={"record": link, "reason": "Issued in error"})
    )
    assert "Are you sure you want to revoke this certificate?" in confirm and "Sam Holder" in confirm
    with csrf_app.app_context():
        assert db.session.get(CompletionRecord, record.id).revoked_at is None  # not until confirmed
    done = browser.post(
        "/admin/certificates/revoke",
        data={"record": record.verification_code, "reason": "Issued in error", "confirmed": "yes"},
    )
    assert done.status_code == 302 and "has been revoked" in browser.text(done.headers["Location"])
    with csrf_app.app_context():
        revoked = db.session.get(CompletionRecord, record.id)
        assert revoked.revoked_at is not None and revoked.revoked_reason == "Issued in error"
    again = body(browser.post("/admin/certificates/revoke", data={"record": str(record.id), "reason": "x"}))
    assert "already revoked" in error_summary(again)[0][1]
    assert audit_actions(csrf_app)[-1] == "certificate.revoked"


def test_people_list_searches_and_pages(csrf_app, admin, browser):
    with csrf_app.app_context():
        for number in range(55):
            people.create_person(admin.id, f"Learner {number:02d}", f"l{number:02d}@example.org", ["learner"])
    first = browser.text("/admin/people")
    assert (
        "56 people" in first
        and "Page 1 of 2" in first
        and "Learner 48" in first
        and "Learner 54" not in first
    )
    second = browser.text("/admin/people?page=2")
    assert "Learner 54" in second and "Previous page" in second
    found = browser.text("/admin/people?q=l07%40")
    assert "1 person" in found and "Learner 07" in found and "No password yet" in found


def test_audit_log_is_newest_first_and_paged(csrf_app, admin, browser, make_user):
    learner = make_user()
    with csrf_app.app_context():
        for _ in range(30):
            people.disable_person(admin.id, learner.id)
            people.enable_person(admin.id, learner.id)
    page = browser.text("/admin/audit")
    assert page.index("user.enabled") < page.index("user.disabled")  # the last action comes first
    assert page.count("<code>user.") == 50 and "Older entries" in page
    older = re.search(r'href="(/admin/audit\?before=\d+)"', page).group(1)
    rest = browser.text(older)
    assert rest.count("<code>user.") == 10 and "Older entries" not in rest and "Ada Admin" in rest


def test_an_admin_sees_and_lifts_a_sign_in_lock(make_app, admin, make_user):
    app = make_app(WTF_CSRF_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT=3)
    browser = SignedInClient(app, admin)
    learner = make_user(name="Lee Locked")
    for _ in range(3):
        sign_in_form(app, learner.email, "a wrong guess")
    _client, refused = sign_in_form(app, learner.email)
    assert "several unsuccessful attempts" in body(refused)
    person_page = browser.text(f"/admin/people/{learner.id}")
    assert "Signing in is paused" in person_page and "Let them try again now" in person_page
    listing = browser.text("/admin/people")
    assert "Sign-in pauses" in listing and "Lee Locked" in listing
    lifted = browser.post("/admin/sign-in-locks/lift", data={"scope": "account", "key": learner.email})
    assert lifted.status_code == 302
    assert "can try to sign in again" in browser.text(lifted.headers["Location"])
    assert "Sign-in pauses" not in browser.text("/admin/people")
    _client, signed_in = sign_in_form(app, learner.email)
    assert signed_in.status_code == 302
    assert audit_actions(app)[-1] == "sign_in.lock_lifted"
