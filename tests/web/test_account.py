"""A person's own password: changing it, and setting it from a link an admin made."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD, csrf_token
from tests.support.pages import SignedInClient, body, error_summary, title
from tilearn.extensions import db
from tilearn.services import people

NEW = "blue kettle wanders softly"


def anonymous(app):
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    return client


def signs_in(app, email: str, password: str) -> bool:
    client = anonymous(app)
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})
    return response.status_code == 302


def test_everyone_can_change_their_own_password_and_other_sessions_end(csrf_app, make_user):
    learner = make_user(name="Sam Patel")
    mine, elsewhere = SignedInClient(csrf_app, learner), SignedInClient(csrf_app, learner)
    home = mine.text("/")
    assert 'href="/account/password"' in home and "Change my password" in home
    page = mine.text("/account/password")
    for label in ("Current password", "New password", "New password again"):
        assert f">{label}</label>" in page
    assert 'autocomplete="current-password"' in page and 'autocomplete="new-password"' in page

    def change(current: str, new: str, again: str | None = None):
        data = {"current_password": current, "new_password": new, "new_password_again": again or new}
        return mine.post("/account/password", data=data)

    wrong = body(change("not-my-password", NEW))
    assert title(wrong).startswith("Error: ")
    assert error_summary(wrong) == [("#current_password", "Your current password is not right. Try again.")]
    weak = error_summary(body(change(PASSWORD, "password1234")))
    assert weak[0][0] == "#new_password" and "This is a very common password" in weak[0][1]
    named = error_summary(body(change(PASSWORD, "sampatel-2024!")))
    assert named[0][0] == "#new_password" and "your name" in named[0][1]
    different = error_summary(body(change(PASSWORD, NEW, NEW + "x")))
    assert different == [("#new_password_again", "The two new passwords are not the same. Type it again.")]

    done = change(PASSWORD, NEW)
    assert done.status_code == 302
    assert "Your password has been changed" in mine.text(done.headers["Location"])
    assert mine.get("/").status_code == 200  # this browser stays signed in
    gone = elsewhere.get("/")
    assert gone.status_code == 302 and "/sign-in" in gone.headers["Location"]
    assert signs_in(csrf_app, learner.email, NEW) and not signs_in(csrf_app, learner.email, PASSWORD)


def test_the_change_password_page_needs_a_signed_in_person(csrf_app):
    response = anonymous(csrf_app).get("/account/password")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_set_password_link_asks_twice_then_sends_the_person_to_sign_in(csrf_app, make_user):
    admin = make_user("admin")
    with csrf_app.app_context():
        person = people.create_person(admin.id, "Sam Patel", "sam@example.org", ["learner"])
        person_id = person.id
        made = people.create_password_link(admin.id, person_id)
    client = anonymous(csrf_app)
    url = f"/set-password/{made.token}"
    page = client.get(url).get_data(as_text=True)
    assert "Set your password" in page and "sam@example.org" in page
    assert 'autocomplete="new-password"' in page and 'autocomplete="username"' in page
    token = csrf_token(page)

    def send(new: str, again: str):
        data = {"new_password": new, "new_password_again": again, "csrf_token": token}
        return client.post(url, data=data)

    weak = body(send("aaaaaaaaaaaa", "aaaaaaaaaaaa"))
    assert title(weak).startswith("Error: ") and 'Repeats like "aaa"' in error_summary(weak)[0][1]
    assert error_summary(body(send(NEW, "other"))) == [
        ("#new_password_again", "The two new passwords are not the same. Type it again.")
    ]
    done = send(NEW, NEW)
    assert done.status_code == 302 and done.headers["Location"].startswith("/sign-in")
    assert "Your password is set" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert signs_in(csrf_app, "sam@example.org", NEW)
    used = client.get(url)
    assert used.status_code == 404
    text = used.get_data(as_text=True)
    assert "This link has already been used or has expired" in text and "ask your administrator" in text
    assert client.post(url, data={"new_password": NEW, "new_password_again": NEW}).status_code in (400, 404)
    with csrf_app.app_context():
        assert db.session.get(type(person), person_id).password_hash.startswith("scrypt:")


def test_a_made_up_link_gets_the_same_kind_page(csrf_app):
    response = anonymous(csrf_app).get("/set-password/made-up-token")
    assert response.status_code == 404
    assert re.search(r"already been used or has expired", response.get_data(as_text=True))
