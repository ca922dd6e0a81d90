"""The security baseline: CSRF, cookies, sessions, rate limits, headers, redirects, limits, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.conftest import PASSWORD, csrf_token
from tilearn import create_app
from tilearn.extensions import db
from tilearn.models import CompletionRecord, QuizAttempt, ReflectionEntry, SignInCounter, User
from tilearn.models.types import utcnow
from tilearn.services import accounts, passwords

SECTION = "/learn/worked-example/harder-day"


def test_csrf_is_enforced_on_every_state_changing_form(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"  # as browsers do (same-origin)
    learner = make_user("learner")
    page = client.get("/sign-in").get_data(as_text=True)
    refused = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    assert refused.status_code == 400 and "Please try that again" in refused.get_data(as_text=True)
    signed_in = client.post(
        "/sign-in", data={"email": learner.email, "password": PASSWORD, "csrf_token": csrf_token(page)}
    )
    assert signed_in.status_code == 302
    for url, data in [
        (f"{SECTION}/reflections/r-settle", {"text": "private"}),
        (f"{SECTION}/answers", {"attempt_key": "k", "q-q-same": "1"}),
        (f"{SECTION}/done", {}),
        (f"{SECTION}/choice", {"choice": "skip"}),
        ("/pause", {}),
        ("/sign-out", {}),
    ]:
        assert client.post(url, data=data).status_code == 400, url
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReflectionEntry)) == 0
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0
    token = csrf_token(client.get(f"{SECTION}?note=continue").get_data(as_text=True))
    saved = client.post(f"{SECTION}/reflections/r-settle", data={"text": "private", "csrf_token": token})
    assert saved.status_code == 302


def test_cookies_are_secure_httponly_and_lax(client, make_user):
    learner = make_user()
    response = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert {c.split("=")[0] for c in cookies} >= {"tilearn_session", "tilearn_remember"}
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_secret_key_is_required_outside_development(monkeypatch, tmp_path):
    monkeypatch.delenv("TILEARN_ENV", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "CACHE_DIR": str(tmp_path), "MODULES_DIRS": []})


def test_security_headers_on_every_response(client, make_user, sign_in):
    anonymous = client.get("/sign-in")
    for header, expected in [
        ("Content-Security-Policy", "default-src 'self'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Strict-Transport-Security", "max-age="),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]:
        assert expected in anonymous.headers.get(header, ""), header
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    sign_in(make_user())
    for url in ("/", "/learn/worked-example", f"{SECTION}?note=continue", "/grounding"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_session_is_renewed_at_sign_in(make_app, make_user):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    learner = make_user()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    before = client.get_cookie("tilearn_session").value
    client.post("/sign-in", data={"email": learner.email, "password": PASSWORD, "csrf_token": token})
    after = client.get_cookie("tilearn_session").value
    assert after != before
    assert token not in client.get("/").get_data(as_text=True)  # a new CSRF token with the new session


def test_sign_out_ends_the_session_and_remember_cookie_on_the_server(app, client, make_user):
    learner = make_user()
    client.post("/sign-in", data={"email": learner.email, "password": PASSWORD, "remember": "y"})
    session_cookie = client.get_cookie("tilearn_session").value
    remember_cookie = client.get_cookie("tilearn_remember").value
    assert client.get("/").status_code == 200
    client.post("/sign-out")
    for name, value in (("tilearn_session", session_cookie), ("tilearn_remember", remember_cookie)):
        replay = app.test_client()
        replay.set_cookie(name, value)
        response = replay.get("/")
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], name


def test_password_change_and_disabling_take_effect_on_the_next_request(app, make_user):
    learner = make_user()
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        c.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
        assert c.get("/").status_code == 200
    with app.app_context():
        limits = accounts.sign_in_limits(app.config)
        user = db.session.get(User, learner.id)
        passwords.change_own_password(user, PASSWORD, "a-new-long-password", None, limits)
    assert first.get("/").status_code == 302 and second.get("/").status_code == 302
    first.post("/sign-in", data={"email": learner.email, "password": "a-new-long-password"})
    assert first.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, learner.id).disabled_at = utcnow()
        db.session.commit()
    assert first.get("/").status_code == 302
    refused = first.post("/sign-in", data={"email": learner.email, "password": "a-new-long-password"})
    assert "is not right" in refused.get_data(as_text=True)


def test_unknown_user_and_wrong_password_get_the_same_answer(client, make_user):
    learner = make_user()
    wrong = client.post("/sign-in", data={"email": learner.email, "password": "nope"}).get_data(as_text=True)
    unknown = client.post("/sign-in", data={"email": "who@example.org", "password": "nope"}).get_data(
        as_text=True
    )
    assert "The email address or password is not right" in wrong
    assert wrong.replace(learner.email, "X") == unknown.replace("who@example.org", "X")


def test_sign_in_is_rate_limited_per_account(make_app, make_user):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT=3)
    client = app.test_client()
    learner = make_user()
    for _ in range(3):
        client.post("/sign-in", data={"email": learner.email, "password": "guess"})
    blocked = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    assert blocked.status_code == 200 and "several unsuccessful attempts" in blocked.get_data(as_text=True)
    assert "You can try again in 15 minutes" in blocked.get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(SignInCounter).values(window_start=utcnow() - timedelta(minutes=10)))
        db.session.commit()
    later = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    assert "You can try again in 5 minutes" in later.get_data(as_text=True)
    other = make_user()
    assert client.post("/sign-in", data={"email": other.email, "password": PASSWORD}).status_code == 302


def test_sign_in_is_rate_limited_per_address(make_app, make_user):
    app = make_app(LOGIN_LIMIT_PER_ADDRESS=4)
    client = app.test_client()
    for number in range(4):
        client.post("/sign-in", data={"email": f"guess{number}@example.org", "password": "guess"})
    learner = make_user()
    blocked = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    assert "several unsuccessful attempts" in blocked.get_data(as_text=True)
    assert "You can try again in 15 minutes" in blocked.get_data(as_text=True)
    elsewhere = app.test_client()
    ok = elsewhere.post(
        "/sign-in",
        data={"email": learner.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert ok.status_code == 302


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_open_redirects_are_refused(client, make_user, target):
    learner = make_user()
    response = client.post(f"/sign-in?next={target}", data={"email": learner.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_a_same_site_next_page_is_honoured(client, make_user):
    learner = make_user()
    response = client.post(
        "/sign-in?next=/learn/worked-example", data={"email": learner.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/learn/worked-example"


def test_untrusted_host_is_rejected(client):
    assert client.get("/sign-in", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/sign-in", headers={"Host": "localhost"}).status_code == 200


def test_oversized_requests_get_a_friendly_413(client, make_user, sign_in):
    sign_in(make_user())
    response = client.post(f"{SECTION}/reflections/r-settle", data={"text": "x" * 400_000})
    assert response.status_code == 413
    assert "too much to send at once" in response.get_data(as_text=True)


def test_errors_show_no_stack_trace(make_app, make_user, monkeypatch):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    client.post("/sign-in", data={"email": make_user().email, "password": PASSWORD})
    from tilearn.services import progress

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(progress, "my_learning", broken)
    response = client.get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "something went wrong on our side" in body
    assert "Traceback" not in body and "secret internals" not in body


def test_score_and_user_in_a_post_are_ignored(app, client, make_user, sign_in):
    learner, other = make_user(), make_user()
    sign_in(learner)
    client.post(
        f"{SECTION}/answers",
        data={"attempt_key": "k1", "q-q-same": "0", "user_id": str(other.id), "score": "100", "correct": "1"},
    )
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        assert attempt.user_id == learner.id and attempt.answers == '{"q-same": [0]}'


def test_completion_cannot_be_reached_by_skipping_steps(app, client, make_user, sign_in):
    sign_in(make_user())
    response = client.post(f"{SECTION}/done")  # the last section, without the first or any answers
    assert "/finished" not in response.headers["Location"]
    assert client.get("/learn/worked-example/finished").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CompletionRecord)) == 0


def test_get_and_head_never_change_data(app, client, make_user, sign_in):
    sign_in(make_user())
    for url in ("/", "/learn/worked-example", f"{SECTION}", f"{SECTION}?note=continue", "/grounding"):
        client.get(url)
        client.head(url)
    with app.app_context():
        from tilearn.models import ModuleProgress, Pause, SectionView

        for model in (ModuleProgress, SectionView, Pause, QuizAttempt, ReflectionEntry):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
