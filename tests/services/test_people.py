"""Service rules for people and teams: import, disable, erase, managers, and what the audit log holds."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tilearn.extensions import db
from tilearn.models import (
    AuditEvent,
    CompletionRecord,
    PasswordLink,
    SignInCounter,
    Team,
    TeamManager,
    User,
    UserSession,
)
from tilearn.services import (
    accounts,
    grounding,
    passwords,
    people,
    people_import,
    personal_data,
    progress,
    quizzes,
    reflections,
    teams,
)
from tilearn.services.people import PersonError
from tilearn.services.people_import import ImportRejected
from tilearn.web.library_state import current_library

HEADER = "name,email,team,role,expected level\n"
LIMITS = {"per_account": 100, "per_address": 100, "window": timedelta(minutes=15)}
HOUR = timedelta(hours=1)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def can_sign_in(email: str, password: str) -> bool:
    try:
        accounts.authenticate(email, password, "10.0.0.1", LIMITS)
    except accounts.SignInRefused:
        return False
    return True


def test_a_good_file_is_imported_in_one_go(admin):
    teams.create_team(admin.id, "Housing", "aware")
    text = (
        "\ufeff"
        + HEADER.replace("\n", "\r\n")
        + "Sam Patel,Sam.Patel@example.org,housing,learner,informed\r\n"
        "Jo Brown,jo@example.org,Outreach,learner; manager,Trauma Responsive\r\n"
        "\r\n"
        '"Lee, Ash",ash@example.org,,,\r\n'
    )
    added = people_import.import_people_csv(admin.id, text)
    assert [(person.name, person.email) for person in added] == [
        ("Sam Patel", "sam.patel@example.org"),
        ("Jo Brown", "jo@example.org"),
        ("Lee, Ash", "ash@example.org"),
    ]
    for person in added:  # each new person gets a link to set their own password
        assert passwords.person_for_link(person.link_token).email == person.email
    assert count(PasswordLink) == 3
    sam = db.session.scalar(select(User).where(User.email == "sam.patel@example.org"))
    jo = db.session.scalar(select(User).where(User.email == "jo@example.org"))
    ash = db.session.scalar(select(User).where(User.email == "ash@example.org"))
    housing, outreach = (
        db.session.scalar(select(Team).where(Team.name == n)) for n in ("Housing", "Outreach")
    )
    assert (sam.team_id, sam.expected_level, sam.roles) == (housing.id, "informed", {"learner"})
    assert (jo.team_id, jo.expected_level, jo.roles) == (outreach.id, "responsive", {"learner", "manager"})
    assert (ash.name, ash.team_id, ash.expected_level, ash.roles) == ("Lee, Ash", None, None, {"learner"})
    assert count(Team) == 2  # "housing" matched the existing team
    assert not people.has_password(sam) and not can_sign_in(sam.email, "")
    imported = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "users.imported"))
    assert imported.count == 3 and imported.actor_id == admin.id
    assert actions().count("team.created") == 2  # Housing by hand, Outreach by the import


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(admin, make_user):
    make_user("learner", email="taken@example.org")
    text = HEADER + (
        "Good Person,good@example.org,Housing,learner,\n"  # line 2
        "Also Good,also@example.org,Housing,trainer,aware\n"  # line 3
        "Bad Email,x,Housing,learner,\n"  # line 4
        "Two Of Me,good@example.org,Housing,learner,\n"  # line 5
        "Boss,boss@example.org,Housing,learner;boss,\n"  # line 6
        ",noname@example.org,Housing,learner,\n"  # line 7
        "Taken,TAKEN@example.org,,learner,\n"  # line 8
        "Level,level@example.org,,learner,expert\n"  # line 9
        "Short,short@example.org\n"  # line 10
    )
    with pytest.raises(ImportRejected) as rejected:
        people_import.import_people_csv(admin.id, text)
    assert rejected.value.problems == [
        'line 4: email "x" is not a valid email address',
        'line 5: email "good@example.org" is also on line 2',
        'line 6: role "boss" is not one of learner, trainer, manager, admin',
        "line 7: name is blank",
        'line 8: email "taken@example.org" already belongs to someone on the site',
        'line 9: expected level "expert" is not one of aware, informed, responsive, specialist (or blank)',
        "line 10: has 2 values; expected 5 (name, email, team, role, expected level)",
    ]
    assert count(User) == 2 and count(Team) == 0
    assert "users.imported" not in actions() and "team.created" not in actions()


def test_a_quoted_value_over_two_lines_keeps_later_line_numbers_right(admin):
    text = HEADER + '"Sam\nPatel",sam@example.org,,learner,\nBad,bad,,learner,\n'
    with pytest.raises(ImportRejected) as rejected:
        people_import.import_people_csv(admin.id, text)
    assert rejected.value.problems == ['line 4: email "bad" is not a valid email address']


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "line 1: the first line must name the columns"),
        ("Sam,sam@example.org,,learner,\n", 'line 1: column "sam" is not one of'),
        ("name,email,team,role\nSam,sam@example.org,,learner\n", "(missing: expected level)"),
        (HEADER, "The file has a header row but no people in it"),
        (HEADER + "x" * people_import.MAX_IMPORT_CHARS, "The file is too large"),
    ],
)
def test_a_file_without_a_proper_header_or_people_is_refused(admin, text, problem):
    with pytest.raises(ImportRejected) as rejected:
        people_import.import_people_csv(admin.id, text)
    assert problem in rejected.value.problems[0]


def test_uploads_are_decoded_as_utf8_with_or_without_a_bom():
    assert people_import.decode_csv("\ufeffname,Zoë\r\n".encode()) == "name,Zoë\r\n"
    with pytest.raises(ImportRejected, match="problem"):
        people_import.decode_csv("Zoë".encode("latin-1"))


def test_people_are_created_and_changed_with_several_roles(admin):
    team = teams.create_team(admin.id, "Outreach")
    person = people.create_person(
        admin.id, " Sam  Patel ", "SAM@example.org", ["learner", "manager"], team.id
    )
    assert (person.name, person.email, person.roles) == (
        "Sam Patel",
        "sam@example.org",
        {"learner", "manager"},
    )
    assert not people.has_password(person)
    with pytest.raises(PersonError, match="already belongs") as taken:
        people.create_person(admin.id, "Other", "sam@example.org", ["learner"])
    assert taken.value.field == "email"
    with pytest.raises(PersonError, match="not one of"):
        people.update_person(admin.id, person.id, "Sam", "sam@example.org", ["learner"], None, "expert")
    with pytest.raises(PersonError, match="at least one role"):
        people.update_person(admin.id, person.id, "Sam", "sam@example.org", [], None, None)
    people.update_person(
        admin.id, person.id, "Sam P", "sam.p@example.org", ["trainer", "admin"], None, "aware"
    )
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert (person.name, person.email, person.team_id, person.expected_level) == (
        "Sam P",
        "sam.p@example.org",
        None,
        "aware",
    )
    assert person.roles == {"trainer", "admin"}
    assert actions() == ["team.created", "user.created", "user.updated"]
    updated = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.updated"))
    assert updated.subject == f"user:{person.id}" and "Sam" not in updated.detail


def test_an_admin_cannot_lock_themselves_out(admin):
    with pytest.raises(PersonError, match="your own admin role"):
        people.update_person(admin.id, admin.id, admin.name, admin.email, ["learner"], None, None)
    for action in (people.disable_person, people.erase_person):
        with pytest.raises(PersonError, match="your own"):
            action(admin.id, admin.id)
    assert db.session.get(User, admin.id).is_active


def test_disabling_ends_every_session_and_enabling_lets_them_back(admin, make_user):
    learner = make_user()
    token = accounts.start_session(db.session.get(User, learner.id), HOUR)
    assert accounts.load_session(token) is not None
    people.disable_person(admin.id, learner.id)
    assert count(UserSession, UserSession.user_id == learner.id) == 0
    assert accounts.load_session(token) is None and not can_sign_in(learner.email, PASSWORD)
    people.enable_person(admin.id, learner.id)
    assert can_sign_in(learner.email, PASSWORD)
    assert actions() == ["user.disabled", "user.enabled"]


def test_a_password_link_ends_sessions_and_no_secret_is_in_the_audit_log(admin, make_user):
    learner = make_user()
    token = accounts.start_session(db.session.get(User, learner.id), HOUR)
    made = people.create_password_link(admin.id, learner.id)
    secret = "correct-horse-" + secrets.token_hex(8)
    passwords.set_password_with_link(made.token, secret)
    assert accounts.load_session(token) is None and can_sign_in(learner.email, secret)
    people.create_person(admin.id, "New", "new@example.org", ["learner"])
    imported = people_import.import_people_csv(admin.id, HEADER + "Imp,imp@example.org,,learner,\n")
    hashes = set(db.session.scalars(select(User.password_hash)))
    hashes |= set(db.session.scalars(select(PasswordLink.token_hash)))
    for event in db.session.scalars(select(AuditEvent)):
        text = " ".join(str(v) for v in (event.action, event.subject, event.detail, event.count))
        assert secret not in text and not any(h in text for h in hashes), event
        assert made.token not in text and imported[0].link_token not in text, event
    assert "user.password_link_created" in actions()


def test_erasing_deletes_private_data_and_keeps_an_anonymous_record(admin, make_user):
    module = current_library().get("worked-example")
    learner, other = make_user(), make_user()
    team = teams.create_team(admin.id, "Outreach")
    for user in (learner, other):
        first, second = module.sections
        progress.record_section_seen(user.id, module, first.id)
        progress.defer_section(user.id, module, second.id)
        quizzes.submit_answers(user.id, module, first, {"q-five-fs": [0]}, f"k-{user.id}")
        reflections.save_reflection(user.id, module.id, "r-settle", "a private thought")
        progress.take_pause(user.id, module.id, second.id, {"q-same": [1]})
        grounding.note_visit(user.id, module.id, second.id)
    db.session.add(
        CompletionRecord(
            user_id=learner.id,
            module_id=module.id,
            module_version=module.version,
            content_hash="0" * 64,
            score=100,
            cycle=1,
            verification_code=secrets.token_urlsafe(24),
        )
    )
    assert not can_sign_in(learner.email, "a wrong guess")  # counted against their email address
    people.create_password_link(admin.id, learner.id)
    people.update_person(admin.id, learner.id, "Sam", learner.email, ["learner", "manager"], team.id, "aware")
    teams.set_team_managers(admin.id, team.id, [learner.id])
    accounts.start_session(db.session.get(User, learner.id), HOUR)

    people.erase_person(admin.id, learner.id)

    for holding in personal_data.HOLDINGS:
        if holding.erase == personal_data.DELETE:
            assert count(holding.model, holding.about(learner)) == 0, holding.table
        if holding.model.__module__ == "tilearn.models.progress":  # what they did while learning
            assert count(holding.model, holding.about(other)) > 0, holding.table
    assert count(UserSession, UserSession.user_id == learner.id) == 0
    assert count(SignInCounter, SignInCounter.key == learner.email) == 0 and count(PasswordLink) == 0
    assert teams.teams_managed_by(learner.id) == []
    erased = db.session.get(User, learner.id)
    assert erased.name == f"Erased person {learner.id}"
    assert erased.email == f"erased-{learner.id}@erased.invalid"
    assert erased.roles == frozenset() and erased.team_id is None and erased.expected_level is None
    assert erased.erased_at is not None and not erased.is_active
    record = db.session.scalar(select(CompletionRecord).where(CompletionRecord.user_id == learner.id))
    assert record is not None and record.revoked_at is None
    assert not can_sign_in(learner.email, PASSWORD) and not can_sign_in(erased.email, PASSWORD)
    with pytest.raises(PersonError, match="erased"):
        people.enable_person(admin.id, learner.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.erased"))
    assert event.subject == f"user:{learner.id}"
    for event in db.session.scalars(select(AuditEvent)):
        assert learner.email not in f"{event.subject} {event.detail}" and "Sam" not in (event.detail or "")


def test_team_managers_hold_the_manager_role_and_removal_is_immediate(admin, make_user):
    manager, other_manager, learner = make_user("manager"), make_user("manager"), make_user("learner")
    team = teams.create_team(admin.id, "Outreach", "informed")
    with pytest.raises(teams.TeamError, match="already a team"):
        teams.create_team(admin.id, " outreach ")
    with pytest.raises(teams.TeamError, match="manager role"):
        teams.set_team_managers(admin.id, team.id, [manager.id, learner.id])
    teams.set_team_managers(admin.id, team.id, [manager.id, other_manager.id])
    assert [t.id for t in teams.teams_managed_by(manager.id)] == [team.id]
    teams.set_team_managers(admin.id, team.id, [other_manager.id])
    assert teams.teams_managed_by(manager.id) == []
    assert [t.name for t in teams.teams_managed_by(other_manager.id)] == ["Outreach"]
    teams.update_team(admin.id, team.id, "Outreach North", "responsive")
    summary = teams.team_summaries()[0]
    assert (summary.team.name, summary.team.expected_level, summary.managers) == (
        "Outreach North",
        "responsive",
        [other_manager.name],
    )
    assert actions() == [
        "team.created",
        "team.managers_set",
        "team.managers_set",
        "team.updated",
    ]


def test_losing_the_manager_role_ends_team_management(admin, make_user):
    manager = make_user("manager")
    team = teams.create_team(admin.id, "Outreach")
    teams.set_team_managers(admin.id, team.id, [manager.id])
    people.update_person(admin.id, manager.id, manager.name, manager.email, ["learner"], None, None)
    assert teams.teams_managed_by(manager.id) == [] and count(TeamManager) == 0


def test_people_are_found_by_name_or_email_a_page_at_a_time(admin):
    for number in range(7):
        people.create_person(admin.id, f"Person {number}", f"p{number}@example.org", ["learner"])
    people.create_person(admin.id, "100% Sure", "percent@example.org", ["learner"])
    page = people.find_people("person", page=2, per_page=5)
    assert (page.total, page.page, page.pages) == (7, 2, 2)
    assert [user.name for user, _team in page.rows] == ["Person 5", "Person 6"]
    assert people.find_people("P3@EXAMPLE").total == 1
    assert [u.name for u, _t in people.find_people("100%").rows] == ["100% Sure"]  # % is not a wildcard
    assert people.find_people("", page=99).page == 1 + (count(User) - 1) // 50
