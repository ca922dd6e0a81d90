"""Signing in: same work for every refusal, an atomic limit, strong passwords and set-password links."""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
from datetime import timedelta
from statistics import median

import pytest
from sqlalchemy import select, update

from tests.conftest import PASSWORD
from tilearn.extensions import db
from tilearn.models import AuditEvent, PasswordLink, SignInCounter, User, UserSession
from tilearn.services import accounts, passwords, people

LIMITS = {"per_account": 100, "per_address": 100, "window": timedelta(minutes=15)}
HOUR = timedelta(hours=1)


def refusal(email: str, password: str, address: str = "10.0.0.1", limits: dict = LIMITS):
    """The SignInRefused an attempt ends in (the test fails if the attempt succeeds)."""
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.authenticate(email, password, address, limits)
    return refused.value


def test_sign_in_takes_as_long_for_someone_without_a_password_as_for_anyone(admin, make_user):
    learner = make_user()
    person = people.create_person(admin.id, "No Password Yet", "nopassword@example.org", ["learner"])
    times: dict[str, list[float]] = {"no password": [], "unknown": [], "wrong password": []}
    for _ in range(10):  # interleaved, so a busy moment on the machine hits every kind alike
        for kind, email in (
            ("no password", person.email),
            ("unknown", "nobody@example.org"),
            ("wrong password", learner.email),
        ):
            start = time.perf_counter()
            refusal(email, "a-guess-at-the-password")
            times[kind].append(time.perf_counter() - start)
    unknown = median(times["unknown"])
    for kind in ("no password", "wrong password"):
        ratio = median(times[kind]) / unknown
        assert 0.5 <= ratio <= 2, f"{kind}: {ratio:.2f} × the time for an unknown email"


def test_parallel_attempts_check_exactly_the_limit(app, make_user, monkeypatch):
    learner = make_user()
    limits = {"per_account": 5, "per_address": 1000, "window": timedelta(minutes=15)}
    checked: list[int] = []
    outcomes: list[str] = []
    lock = threading.Lock()
    real_check = accounts.check_password_hash

    def counting_check(stored: str, password: str) -> bool:
        with lock:
            checked.append(1)
        return real_check(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting_check)
    attempts = 40
    barrier = threading.Barrier(attempts)

    def attempt(number: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                accounts.authenticate(learner.email, "not-the-password", f"10.1.{number}.1", limits)
            except accounts.SignInRefused as refused:
                with lock:
                    outcomes.append("throttled" if refused.throttled else "refused")
            except Exception as error:  # reported below
                with lock:
                    outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(outcomes)) == ["refused", "throttled"], outcomes
    assert outcomes.count("refused") == 5 and outcomes.count("throttled") == attempts - 5
    assert len(checked) == 5


def test_a_throttled_attempt_says_when_to_try_again_and_success_clears_the_count(admin, make_user):
    learner = make_user()
    limits = {"per_account": 3, "per_address": 100, "window": timedelta(minutes=15)}
    for _ in range(3):
        assert not refusal(learner.email, "guess", limits=limits).throttled
    throttled = refusal(learner.email, PASSWORD, limits=limits)
    assert throttled.throttled and throttled.retry_at is not None
    assert timedelta(minutes=14) < throttled.retry_at - accounts.utcnow() <= timedelta(minutes=15)
    locks = accounts.sign_in_locks(limits)
    assert [(lock.scope, lock.key) for lock in locks] == [("account", learner.email)]
    people.lift_sign_in_lock(admin.id, "account", learner.email)
    assert accounts.sign_in_locks(limits) == []
    assert accounts.authenticate(learner.email, PASSWORD, "10.0.0.1", limits).id == learner.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in.lock_lifted"))
    assert event.subject == f"user:{learner.id}" and learner.email not in (event.detail or "")
    for _ in range(2):
        refusal(learner.email, "guess", limits=limits)
    accounts.authenticate(learner.email, PASSWORD, "10.0.0.1", limits)  # clears the account's count
    for _ in range(3):
        assert not refusal(learner.email, "guess", limits=limits).throttled


def test_a_window_that_has_passed_starts_again(ctx, make_user):
    learner = make_user()
    limits = {"per_account": 2, "per_address": 100, "window": timedelta(minutes=15)}
    for _ in range(2):
        refusal(learner.email, "guess", limits=limits)
    assert refusal(learner.email, PASSWORD, limits=limits).throttled
    db.session.execute(update(SignInCounter).values(window_start=accounts.utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert accounts.authenticate(learner.email, PASSWORD, "10.0.0.1", limits).id == learner.id


def test_refusals_are_logged_with_their_reason_and_nothing_secret(admin, make_user, caplog):
    caplog.set_level(logging.INFO, logger="tilearn")
    learner, disabled = make_user(), make_user()
    person = people.create_person(admin.id, "No Password Yet", "nopassword@example.org", ["learner"])
    people.disable_person(admin.id, disabled.id)
    refusal("nobody@example.org", "secret-guess-1")
    refusal(learner.email, "secret-guess-2")
    refusal(person.email, "secret-guess-3")
    refusal(disabled.email, PASSWORD)
    user = accounts.authenticate(learner.email, PASSWORD, "10.0.0.1", LIMITS)
    token = accounts.start_session(user, HOUR)
    accounts.end_session(token)
    refusal(learner.email, "x", limits={"per_account": 0, "per_address": 100, "window": HOUR})
    refusal(learner.email, "x", limits={"per_account": 100, "per_address": 0, "window": HOUR})
    events = [
        r.getMessage()
        for r in caplog.records
        if r.name == "tilearn.events" and r.getMessage().startswith(("event=sign_in", "event=sign_out"))
    ]
    expected = [
        "event=sign_in.refused user=- reason=unknown_account",
        f"event=sign_in.refused user={learner.id} reason=bad_password",
        f"event=sign_in.refused user={person.id} reason=no_password",
        f"event=sign_in.refused user={disabled.id} reason=disabled",
        f"event=sign_in user={learner.id}",
        f"event=sign_out user={learner.id}",
        "event=sign_in.throttled user=- scope=account",
        "event=sign_in.throttled user=- scope=address",
    ]
    for want, got in zip(expected, events, strict=True):
        assert got.startswith(want), (want, got)
    text = caplog.text
    for secret in ("secret-guess", PASSWORD, token, learner.email, "nobody@example.org"):
        assert secret not in text


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 12 characters"),
        ("x" * 201, "200 characters or fewer"),
        ("password1234", "This is a very common password"),
        ("aaaaaaaaaaaa", 'Repeats like "aaa" are easy to guess'),
        ("sampatel2024!", "your name"),
        ("Sam.Patel-is-here", "your name"),
        ("spatel.work-2024!", "your email address"),
    ],
)
def test_weak_passwords_are_refused_in_plain_words(ctx, password, message):
    problem = passwords.password_problem(password, "Sam Patel", "spatel.work@example.org")
    assert problem is not None and message in problem
    assert "fail" not in problem.lower()


def test_a_strong_password_is_accepted(ctx):
    for password in ("blue kettle wanders softly", "a-brand-new-password", "Tr0ub4dor&3xyz-q"):
        assert passwords.password_problem(password, "Sam Patel", "spatel@example.org") is None


def test_changing_your_own_password_keeps_this_session_and_ends_the_others(ctx, make_user, caplog):
    caplog.set_level(logging.INFO, logger="tilearn")
    learner = db.session.get(User, make_user().id)
    mine = accounts.start_session(learner, HOUR)
    other = accounts.start_session(learner, HOUR)
    with pytest.raises(passwords.PasswordError) as wrong:
        passwords.change_own_password(learner, "not-it", "blue kettle wanders softly", mine, LIMITS)
    assert wrong.value.field == "current_password"
    with pytest.raises(passwords.PasswordError) as weak:
        passwords.change_own_password(learner, PASSWORD, "password1234", mine, LIMITS)
    assert weak.value.field == "new_password"
    passwords.change_own_password(learner, PASSWORD, "blue kettle wanders softly", mine, LIMITS)
    assert accounts.load_session(mine) is not None and accounts.load_session(other) is None
    assert accounts.authenticate(learner.email, "blue kettle wanders softly", "10.0.0.1", LIMITS)
    assert f"event=password.changed user={learner.id}" in caplog.text
    assert "blue kettle" not in caplog.text


def test_a_set_password_link_is_random_hashed_single_use_and_lasts_seven_days(admin, caplog):
    caplog.set_level(logging.INFO, logger="tilearn")
    person = people.create_person(admin.id, "Sam Patel", "sam@example.org", ["learner"])
    made = people.create_password_link(admin.id, person.id)
    assert len(base64.urlsafe_b64decode(made.token + "==")) >= 16  # at least 128 random bits
    row = db.session.scalar(select(PasswordLink))
    assert row.token_hash == hashlib.sha256(made.token.encode()).hexdigest()
    assert row.expires_at - row.created_at == timedelta(days=7) == made.expires_at - row.created_at
    assert passwords.person_for_link(made.token).id == person.id
    newer = people.create_password_link(admin.id, person.id)
    assert passwords.person_for_link(made.token) is None  # a newer link replaces it
    with pytest.raises(passwords.PasswordError) as weak:
        passwords.set_password_with_link(newer.token, "password1234")
    assert weak.value.field == "new_password"
    assert passwords.person_for_link(newer.token) is not None  # a refused password does not use it up
    passwords.set_password_with_link(newer.token, "blue kettle wanders softly")
    assert passwords.person_for_link(newer.token) is None
    with pytest.raises(passwords.LinkUnusable):
        passwords.set_password_with_link(newer.token, "another good long phrase")
    assert accounts.authenticate(person.email, "blue kettle wanders softly", "10.0.0.1", LIMITS)
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("user.password_link_created") == 2
    for event in db.session.scalars(select(AuditEvent)):
        text = f"{event.subject} {event.detail}"
        assert made.token not in text and newer.token not in text
    assert made.token not in caplog.text and newer.token not in caplog.text
    assert "event=user.password_link_created" in caplog.text and "event=password_link.used" in caplog.text


def test_an_expired_link_or_a_disabled_person_cannot_set_a_password(admin):
    person = people.create_person(admin.id, "Sam Patel", "sam@example.org", ["learner"])
    made = people.create_password_link(admin.id, person.id)
    db.session.execute(update(PasswordLink).values(expires_at=accounts.utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert passwords.person_for_link(made.token) is None
    with pytest.raises(passwords.LinkUnusable):
        passwords.set_password_with_link(made.token, "blue kettle wanders softly")
    again = people.create_password_link(admin.id, person.id)
    people.disable_person(admin.id, person.id)
    assert passwords.person_for_link(again.token) is None


def test_setting_a_password_by_link_ends_every_session(admin, make_user):
    learner = make_user()
    token = accounts.start_session(db.session.get(User, learner.id), HOUR)
    made = people.create_password_link(admin.id, learner.id)
    passwords.set_password_with_link(made.token, "blue kettle wanders softly")
    assert accounts.load_session(token) is None
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == learner.id)) is None


def test_the_command_line_prints_a_set_password_link_for_someone_locked_out(app, make_user):
    admin = make_user("admin")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["people", "password-link", admin.email.upper()])
    assert result.exit_code == 0, result.output
    link = result.output.split("https://localhost", 1)[1].split()[0]
    assert link.startswith("/set-password/") and "7 days" in result.output
    with app.app_context():
        assert passwords.person_for_link(link.rsplit("/", 1)[1]).id == admin.id
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_link_created"))
        assert event.actor_id is None and event.subject == f"user:{admin.id}"
    other = runner.invoke(args=["people", "password-link", "nobody@example.org"])
    assert other.exit_code == 1 and "Nobody on the site has the email address" in other.output
    site = runner.invoke(
        args=["people", "password-link", admin.email, "--site", "https://learn.example.org/"]
    )
    assert "https://learn.example.org/set-password/" in site.output
