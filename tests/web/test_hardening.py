"""Issue 8's defects found by an outside attack: each test failed on the code before its fix."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tilearn import create_app
from tilearn.extensions import db
from tilearn.models import ReflectionEntry
from tilearn.services.reflections import MAX_REFLECTION_CHARS

SECTION = "/learn/worked-example/harder-day"


@pytest.fixture
def module_with_files(make_app, make_user, sign_in, tmp_path):
    """A signed-in client and a module whose folder holds an image, a handout, its markdown and a secret."""
    from tests.conftest import write_module

    path = write_module(tmp_path / "mods" / "with-image", body="## One {#one}\n\n![A dot](images/dot.png)\n")
    (path.parent / "images").mkdir()
    (path.parent / "images" / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (path.parent / "handout.pdf").write_bytes(b"%PDF-1.4\n")
    (path.parent / "notes.txt").write_text("answer key")
    (path.parent / ".hidden.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    app = make_app(MODULES_DIRS=[str(tmp_path / "mods")])
    client = app.test_client()
    sign_in(make_user(), target=client)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "module.md",
        "module.md/",
        "module.md//",
        "./module.md",
        ".//module.md",
        "images/../module.md",
        "images/..%2fmodule.md",
        "images%2f..%2fmodule.md",
        "%2e/module.md",
        "%2e%2e/with-image/module.md",
        "MODULE.MD",
        "module.MD",
        "module.md%00.png",
        "module.md%20",
        "module.md.",
        "images//dot.png/",
        "images/dot.png/",
        "notes.txt",
        ".hidden.png",
        "images",
        "images/",
        "../with-image/module.md",
        "%2e%2e/%2e%2e/etc/passwd",
        "..%5cmodule.md",
    ],
)
def test_no_path_variant_serves_anything_but_an_allowed_asset(module_with_files, path):
    response = module_with_files.get(f"/learn/with-image/assets/{path}")
    body = response.get_data()
    assert response.status_code in (400, 404), (path, response.status_code)
    assert b"answer key" not in body and b"title:" not in body


def test_images_and_handouts_are_served_with_their_type(module_with_files):
    image = module_with_files.get("/learn/with-image/assets/images/dot.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    image.close()
    handout = module_with_files.get("/learn/with-image/assets/handout.pdf")
    assert handout.status_code == 200 and handout.mimetype == "application/pdf"
    handout.close()


# --- NUL and control characters -------------------------------------------------------------


@pytest.mark.parametrize(
    "method,url,data",
    [
        ("get", "/verify/abc%00def", None),
        ("get", "/verify?code=abc%00def", None),
        ("post", "/sign-in", {"email": "a\x00b@example.org", "password": "x"}),
        ("get", "/sign-in?next=/%00", None),
    ],
)
def test_nul_bytes_are_a_clear_400_even_anonymously(client, method, url, data):
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "character" in page and "Exit this page" in page
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_nul_bytes_in_signed_in_forms_are_refused_and_nothing_is_stored(client, make_user, sign_in):
    sign_in(make_user())
    for url, data in [
        (f"{SECTION}/reflections/r-settle", {"text": "before\x00after"}),
        (f"{SECTION}/answers", {"attempt_key": "k\x00", "q-q-same": "1"}),
        ("/pause", {"module_id": "worked-example\x00"}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "character" in response.get_data(as_text=True)
    assert (
        client.post(f"{SECTION}/reflections/r-settle", data={"text": "tab\tand\nnew line"}).status_code == 302
    )


def test_nul_bytes_in_admin_forms_are_refused(client, make_user, sign_in):
    sign_in(make_user("admin"))
    for url, data in [
        ("/admin/people/new", {"name": "A\x00B", "email": "ab@example.org", "roles": "learner"}),
        ("/admin/settings", {"name": "Council\x00", "contacts": "Line: 1"}),
        ("/admin/people?q=a%00b", None),
    ]:
        response = client.post(url, data=data) if data else client.get(url)
        assert response.status_code == 400, url
    # the next request on the same worker is served normally: nothing was left half-done
    assert client.get("/admin/people").status_code == 200


def test_error_handler_rolls_back_a_failed_transaction(make_app, make_user, sign_in):
    """A database error mid-request still gets the friendly page, with headers, not a crash."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)  # as in production: the error page, not the exception

    existing = make_user("learner")

    @app.get("/_test/broken-sql")
    def _broken():
        from tilearn.models import User

        db.session.add(User(email=existing.email, name="Twin", password_hash="!"))
        db.session.flush()  # refused: the e-mail address is taken; the session now needs a rollback
        return "unreachable"

    client = app.test_client()
    response = client.get("/_test/broken-sql")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- cookies ----------------------------------------------------------------------------------


def test_session_cookie_ends_with_the_browser_unless_kept_signed_in(client, make_user):
    learner = make_user()
    response = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD})
    session_cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("tilearn_session=")
    )
    assert "Expires" not in session_cookie and "Max-Age" not in session_cookie
    assert client.get("/").status_code == 200  # still signed in within the browser session


def test_keep_me_signed_in_still_lasts(client, make_user):
    learner = make_user()
    response = client.post("/sign-in", data={"email": learner.email, "password": PASSWORD, "remember": "y"})
    remember = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("tilearn_remember="))
    assert "Expires" in remember


# --- reflections ------------------------------------------------------------------------------


def test_reflection_field_shows_its_limit(client, make_user, sign_in):
    sign_in(make_user())
    page = client.get(f"{SECTION}?note=continue").get_data(as_text=True)
    assert "govuk-character-count" in page and 'data-maxlength="20000"' in page
    assert "You can enter up to 20,000 characters" in page
    assert 'maxlength="20000"' not in page.replace('data-maxlength="20000"', "")  # no silent browser cut


def test_an_over_long_reflection_is_refused_and_what_was_typed_is_kept(app, client, make_user, sign_in):
    learner = make_user()
    sign_in(learner)
    typed = "my own words " * 2500  # 32,500 characters
    response = client.post(f"{SECTION}/reflections/r-settle", data={"text": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in page and "20,000 characters or fewer" in page
    assert typed.strip() in page  # nothing typed is lost
    with app.app_context():
        assert db.session.scalars(select(ReflectionEntry)).all() == []
    at_limit = "x" * MAX_REFLECTION_CHARS
    assert client.post(f"{SECTION}/reflections/r-settle", data={"text": at_limit}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ReflectionEntry.text)) == at_limit


# --- small ones -------------------------------------------------------------------------------


def test_405_says_which_methods_are_allowed(client):
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_static_files_carry_security_headers(client):
    response = client.get("/static/build/tilearn.css")
    assert response.status_code == 200
    for header in ("X-Content-Type-Options", "Content-Security-Policy", "Strict-Transport-Security"):
        assert header in response.headers, header
    response.close()


def test_hsts_can_be_switched_off(make_app):
    client = make_app(HSTS=False).test_client()
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    static = client.get("/static/build/tilearn.css")
    assert "Strict-Transport-Security" not in static.headers
    static.close()


def test_verify_pages_are_not_indexed(client):
    for url in ("/verify/", "/verify/unknowncode"):
        response = client.get(url)
        assert response.headers.get("X-Robots-Tag") == "noindex", url
        assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True), url


def test_an_admin_can_open_a_learner_who_has_no_team(client, make_user, sign_in):
    learner = make_user("learner", name="Nobody's Team")
    sign_in(make_user("admin"))
    person = client.get(f"/admin/people/{learner.id}").get_data(as_text=True)
    assert f'href="/manage/learners/{learner.id}"' in person
    response = client.get(f"/manage/learners/{learner.id}")
    assert response.status_code == 200
    assert "Nobody" in response.get_data(as_text=True)


def test_a_manager_still_cannot_open_a_learner_outside_their_teams(client, make_user, sign_in):
    learner = make_user("learner")
    sign_in(make_user("manager"))
    assert client.get(f"/manage/learners/{learner.id}").status_code == 404


# --- the database is down --------------------------------------------------------------------


UNREACHABLE = {
    "postgresql": "postgresql://tilearn:nothing@127.0.0.1:9/tilearn",
    "sqlite": "sqlite:////nonexistent-folder/tilearn.sqlite",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def outage_client(request, tmp_path):
    """An app started against a database that cannot be reached."""
    from tests.conftest import base_config

    config = base_config(tmp_path, UNREACHABLE[request.param])
    config["SQLALCHEMY_DATABASE_URI"] = UNREACHABLE[request.param]
    app = create_app(config)
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def test_health_check_says_503_when_the_database_is_down(outage_client):
    response = outage_client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_grounding_page_and_support_contacts_work_with_the_database_down(outage_client):
    response = outage_client.get("/grounding?module=worked-example&section=survival-responses")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Slow breathing" in page and "Samaritans" in page and "Exit this page" in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_other_pages_explain_the_outage_with_headers_exit_and_contacts(outage_client):
    for url in ("/sign-in", "/verify/abcdef", "/"):
        response = outage_client.get(url, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert response.status_code == 503, url
        assert "Nothing you had saved has been lost" in page
        assert "Samaritans" in page and "Exit this page" in page and "/grounding" in page
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    signing_in = outage_client.post("/sign-in", data={"email": "a@example.org", "password": "x"})
    assert signing_in.status_code == 503


def test_last_known_settings_are_shown_when_the_database_goes_down(
    make_app, make_user, database_url, tmp_path
):
    """Settings an admin saved survive an outage: they are kept where a worker can read them."""
    from tilearn.services.organisation import update_settings

    app = make_app()
    admin = make_user("admin")
    with app.app_context():
        update_settings(
            admin.id, "Riverside Council", [{"name": "Riverside EAP", "detail": "0800 123"}], "west-midlands"
        )
        db.session.commit()
    down = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE["sqlite"])
    page = down.test_client().get("/grounding").get_data(as_text=True)
    assert "Riverside EAP" in page and "Riverside Council" in page
