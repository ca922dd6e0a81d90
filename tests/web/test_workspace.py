"""The trainer's workspace: drafts from the template or an upload, the editor's messages by line, preview."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import csrf_token
from tests.support.pages import SignedInClient, body, error_summary
from tests.support.workspace import (
    MISTAKES,
    NEW_ID,
    PIXEL,
    actions,
    draft_row,
    line_of,
    module_text,
    upload,
    zipped,
)
from tilearn.extensions import db
from tilearn.models import ReflectionEntry
from tilearn.models.drafts import ModuleDraftFile
from tilearn.services import drafts


@pytest.fixture
def trainer(csrf_app, make_user):
    """A trainer signed in on the CSRF-checking app."""
    return SignedInClient(csrf_app, make_user("trainer", name="Tia Trainer"))


def saved(site, text: str, **extra):
    """Save a draft's text in the editor."""
    return site.post(f"/author/drafts/{NEW_ID}", {"markdown": text, **extra})


def test_a_draft_starts_from_the_template_and_passes_the_checker(trainer, csrf_app):
    form = trainer.text("/author/new")
    assert 'name="module_id"' in form and "Trauma Aware" in form
    started = trainer.post("/author/new", {"module_id": NEW_ID, "title": "Listening well", "level": "aware"})
    assert started.status_code == 302 and started.headers["Location"].endswith(f"/author/drafts/{NEW_ID}")
    page = trainer.text(f"/author/drafts/{NEW_ID}")
    assert "Listening well" in page and "0 errors" in page and ">Publish</a>" in page
    assert ("draft.started", f"module:{NEW_ID}") in actions(csrf_app)
    again = trainer.post("/author/new", {"module_id": NEW_ID, "title": "Again", "level": "aware"})
    assert again.status_code == 200
    assert error_summary(body(again)) == [
        (
            "#module_id",
            f"There is already a draft of {NEW_ID}; open it from the workspace, or choose another id",
        )
    ]
    taken = trainer.post("/author/new", {"module_id": "worked-example", "title": "T", "level": "aware"})
    assert "There is already a module called worked-example" in body(taken)
    bad = trainer.post("/author/new", {"module_id": "Not An Id", "title": "T", "level": "aware"})
    assert "Enter a module id of lower-case letters" in body(bad)


def test_uploading_a_md_file_makes_a_draft(trainer, csrf_app):
    response = upload(trainer, "listening.md", module_text())
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/author/drafts/{NEW_ID}")
    assert draft_row(csrf_app).based_on_version is None
    assert ("draft.uploaded", f"module:{NEW_ID}") in actions(csrf_app)
    second = upload(trainer, "listening.md", module_text())
    assert second.status_code == 400 and f"There is already a draft of {NEW_ID}" in body(second)


def test_uploading_a_zip_keeps_its_images_and_serves_them_to_trainers_only(trainer, csrf_app, make_user):
    text = module_text(body="## Hearing people {#hearing}\n\n![Two people talking](images/talk.png)\n")
    archive = zipped(
        {
            f"{NEW_ID}/module.md": text,
            f"{NEW_ID}/images/talk.png": PIXEL,
            "__MACOSX/._x": "x",
            ".DS_Store": "x",
            "Thumbs.db": "x",
        }
    )
    assert upload(trainer, "module.zip", archive).status_code == 302
    with csrf_app.app_context():
        assert [f.path for f in db.session.scalars(select(ModuleDraftFile))] == ["images/talk.png"]
    picture = trainer.get(f"/author/drafts/{NEW_ID}/files/images/talk.png")
    assert picture.status_code == 200 and picture.data == PIXEL and picture.mimetype == "image/png"
    assert trainer.get(f"/author/drafts/{NEW_ID}/files/module.md").status_code == 404
    preview = trainer.text(f"/author/drafts/{NEW_ID}/preview/hearing")
    assert f'src="/author/drafts/{NEW_ID}/files/images/talk.png"' in preview
    learner = SignedInClient(csrf_app, make_user("learner"))
    assert learner.get(f"/author/drafts/{NEW_ID}/files/images/talk.png").status_code == 403
    assert learner.get(f"/learn/{NEW_ID}/assets/images/talk.png").status_code == 404


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"module.md": module_text(), "../evil.png": PIXEL}, "file names that cannot be used: ../evil.png"),
        (
            {"module.md": module_text(), "/etc/passwd.png": PIXEL},
            "file names that cannot be used: /etc/passwd.png",
        ),
        (
            {"module.md": module_text(), "run.sh": "echo hi"},
            "files a module cannot hold: run.sh (a .sh type)",
        ),
        ({"module.md": module_text(), "big.png": b"\0" * (1024 * 1024 + 1)}, "big.png (larger than 1 MB)"),
        ({"a/module.md": module_text(), "b/module.md": module_text()}, "The zip has 2 .md files"),
        ({"notes.txt": "hello"}, "The zip has no module file (.md)"),
        (
            {f"{i}.png": PIXEL for i in range(61)} | {"module.md": module_text()},
            "a module can have 60 at most",
        ),
        ({"module.md": "no front matter"}, "module.md has no module id"),
    ],
)
def test_a_zip_that_cannot_be_used_is_refused_with_the_reason(trainer, csrf_app, files, message):
    response = upload(trainer, "module.zip", zipped(files))
    assert response.status_code == 400
    assert message in error_summary(body(response))[0][1]
    assert draft_row(csrf_app) is None


def test_other_uploads_are_refused_in_plain_words(trainer):
    assert "Choose a .md file or a .zip" in body(upload(trainer, "module.docx", b"PK"))
    assert "is not a zip file that can be opened" in body(upload(trainer, "module.zip", b"not a zip"))
    assert "not UTF-8 text" in body(upload(trainer, "module.md", b"---\nid: x\n\xff\xfe---\n"))
    assert "Choose a .md file or a .zip" in body(trainer.post("/author/upload", {}))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(trainer):
    response = upload(
        trainer, "module.zip", zipped({"module.md": module_text(), "huge.png": b"\0" * (21 * 1024 * 1024)})
    )
    assert "The zip unpacks to more than 20 MB" in body(response)


def test_saving_shows_every_message_by_its_line_next_to_the_text(trainer, csrf_app):
    upload(trainer, "listening.md", module_text())
    text = module_text(body=MISTAKES)
    response = saved(trainer, text)
    assert response.status_code == 302 and response.headers["Location"].endswith("#messages")
    page = trainer.text(f"/author/drafts/{NEW_ID}")
    assert "The checker found 3 errors" in page
    messages = re.findall(
        r'<li class="tl-message tl-message--(\w+)">\s*<strong[^>]*>(\w+)</strong>\s*'
        r'<a class="govuk-link" href="#markdown" data-line="(\d+)">Line \d+</a>:\s*([^<]*)',
        page,
    )
    errors = {
        (int(line), words.strip()) for kind, tag, line, words in messages if kind == "error" == tag.lower()
    }
    lines = {line for line, _ in errors}
    assert line_of(text, "You failed") in lines
    assert line_of(text, "::: single-choice") in lines or line_of(text, "- [ ] Giving") in lines
    assert line_of(text, "::: reflection") in lines
    assert all("Error" == tag for kind, tag, *_ in messages if kind == "error")
    assert "Fix the 3 errors to publish" in page and ">Publish</a>" not in page
    assert f'id="line-{line_of(text, "You failed")}" class="tl-editor__marked"' in page
    assert text.split("\n")[0] in page and 'wrap="off"' in page
    assert draft_row(csrf_app).markdown == text


def test_warnings_do_not_stop_preview_or_publishing(trainer):
    upload(trainer, "listening.md", module_text(minutes="30"))
    page = trainer.text(f"/author/drafts/{NEW_ID}")
    assert "0 errors, 1 warning" in page and ">Publish</a>" in page
    assert "Warning</strong>" in page and "minutes" in page
    assert trainer.get(f"/author/drafts/{NEW_ID}/preview").status_code == 200


def test_the_preview_shows_the_module_as_learners_will_with_an_answers_switch(trainer):
    upload(trainer, "listening.md", module_text())
    overview = trainer.text(f"/author/drafts/{NEW_ID}/preview")
    assert "Listening well" in overview and "What you will learn" in overview and "Version</dt>" in overview
    assert f'href="/author/drafts/{NEW_ID}/preview/hearing"' in overview
    plain = trainer.text(f"/author/drafts/{NEW_ID}/preview/hearing")
    assert "What helps someone feel heard?" in plain and "Show right answers and feedback" in plain
    assert "Right answer" not in plain and "Attention tells people they matter" not in plain
    assert "Check my answers" in plain and "/learn/" not in plain.split('id="main-content"')[1]
    shown = trainer.text(f"/author/drafts/{NEW_ID}/preview/hearing?answers=yes")
    assert "Right answer" in shown and "Attention tells people they matter" in shown
    assert "Hide right answers and feedback" in shown
    assert f'href="/author/drafts/{NEW_ID}/preview/pausing?answers=yes"' in shown
    tried = trainer.post(
        f"/author/drafts/{NEW_ID}/preview/hearing", {"attempt_key": "preview", "q-q-listen": "1"}
    )
    assert (
        tried.status_code == 200
        and "Not quite yet" in body(tried)
        and "That splits your attention" in body(tried)
    )
    assert trainer.get(f"/author/drafts/{NEW_ID}/preview/no-such-section").status_code == 404


def test_the_preview_follows_each_save_at_once(trainer):
    upload(trainer, "listening.md", module_text())
    saved(trainer, module_text().replace("Listening well means", "Listening closely means"))
    assert "Listening closely means" in trainer.text(f"/author/drafts/{NEW_ID}/preview/hearing")
    previewed = saved(trainer, module_text(), then="preview")
    assert previewed.headers["Location"].endswith(f"/author/drafts/{NEW_ID}/preview")


def test_a_draft_with_errors_can_still_be_previewed_and_says_so(trainer):
    upload(trainer, "listening.md", module_text(body=MISTAKES))
    page = trainer.text(f"/author/drafts/{NEW_ID}/preview/hearing")
    assert "cannot be published until they are fixed" in page and "What helps someone feel heard?" in page


def test_editing_a_module_starts_a_draft_from_what_learners_see(trainer, csrf_app):
    response = trainer.post("/author/modules/worked-example/edit")
    assert response.headers["Location"].endswith("/author/drafts/worked-example")
    draft = draft_row(csrf_app, "worked-example")
    assert draft.based_on_version == "1.2" and "id: worked-example" in draft.markdown
    trainer.post("/author/modules/worked-example/edit")  # a second click opens the same draft
    assert actions(csrf_app).count(("draft.started", "module:worked-example")) == 1


def test_discarding_a_draft_asks_first_and_a_second_click_does_nothing(trainer, csrf_app):
    upload(trainer, "listening.md", module_text())
    assert "Are you sure you want to discard" in trainer.text(f"/author/drafts/{NEW_ID}/discard")
    for _ in range(2):
        assert trainer.post(f"/author/drafts/{NEW_ID}/discard").status_code == 302
    assert draft_row(csrf_app) is None
    assert actions(csrf_app).count(("draft.discarded", f"module:{NEW_ID}")) == 1
    assert trainer.get(f"/author/drafts/{NEW_ID}").status_code == 404


def test_every_workspace_form_needs_its_csrf_token(trainer, csrf_app):
    upload(trainer, "listening.md", module_text())
    raw = trainer.client
    for url, data in [
        ("/author/new", {"module_id": "other-one", "title": "T", "level": "aware"}),
        (f"/author/drafts/{NEW_ID}", {"markdown": "changed"}),
        (f"/author/drafts/{NEW_ID}/discard", {}),
        (f"/author/drafts/{NEW_ID}/publish", {"note": "n", "material": "no"}),
        ("/author/modules/worked-example/edit", {}),
        ("/author/modules/worked-example/retire", {"reason": "r", "confirmed": "yes"}),
    ]:
        assert raw.post(url, data=data).status_code == 400, url
    assert draft_row(csrf_app).markdown == module_text()
    assert draft_row(csrf_app, "other-one") is None


def test_the_service_refuses_a_module_text_over_the_limit(app, make_user):
    trainer = make_user("trainer")
    with app.app_context():
        drafts.start_from_upload(trainer.id, drafts.read_upload("m.md", module_text().encode()), None)
        with pytest.raises(drafts.DraftRefused, match="512 KB at most"):
            drafts.save_text(trainer.id, NEW_ID, "x" * (512 * 1024 + 1))


def test_the_checker_uses_the_organisations_own_words(make_app, make_user):
    site = SignedInClient(
        make_app(WTF_CSRF_ENABLED=True, SENSITIVE_WORDS_EXTRA=["knife crime"]), make_user("trainer")
    )
    upload(site, "m.md", module_text(body="## Safety {#safety}\n\nWe talk about knife crime here.\n"))
    page = site.text(f"/author/drafts/{NEW_ID}")
    assert "Warning</strong>" in page and "knife crime" in page.split('id="messages"')[1]


def test_only_trainers_get_room_for_a_large_upload(csrf_app, make_user):
    big = zipped({"module.md": module_text(), "picture.png": PIXEL + b"\1" * (600 * 1024)})
    learner = SignedInClient(csrf_app, make_user("learner"))
    token = csrf_token(learner.text("/"))
    boundary, encoded = encode_multipart({"csrf_token": token, "file": FileStorage(io.BytesIO(big), "m.zip")})
    multipart = f"multipart/form-data; boundary={boundary}"
    assert learner.client.post("/author/upload", data=encoded, content_type=multipart).status_code == 413
    trainer = SignedInClient(csrf_app, make_user("trainer"))
    assert upload(trainer, "m.zip", big).status_code == 302
    assert len(drafts_files(csrf_app)["picture.png"]) > 600 * 1024


def drafts_files(app) -> dict[str, bytes]:
    with app.app_context():
        return drafts.draft_files(NEW_ID)


def test_the_learners_forms_in_a_preview_save_nothing(trainer, csrf_app):
    trainer.post("/author/new", {"module_id": NEW_ID, "title": "Listening well", "level": "aware"})
    url = f"/author/drafts/{NEW_ID}/preview/first-section"
    page = trainer.text(url)
    assert 'name="text"' in page and "Save my reflection" in page  # the learner's own reflection form
    assert page.count('action=""') >= 2 and f"/learn/{NEW_ID}" not in page
    sent = trainer.post(url, {"text": "A private thought", "action": "save"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(url)
    assert "Nothing you do here is saved" in trainer.text(
        url
    ) or "nothing you do here is saved" in trainer.text(url)
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReflectionEntry)) == 0


def test_a_password_protected_zip_is_refused(trainer):
    data = bytearray(zipped({"module.md": module_text()}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # the "encrypted" flag in both headers
        data[data.index(signature) + offset] |= 0x1
    response = upload(trainer, "module.zip", bytes(data))
    assert "The zip is protected by a password" in error_summary(body(response))[0][1]


def test_the_preview_of_a_noted_section_offers_the_learners_choice_first(trainer):
    trainer.post("/author/modules/worked-example/edit")
    url = "/author/drafts/worked-example/preview/harder-day"
    page = trainer.text(url)
    assert "Before you read “A harder day”" in page and "Preview of a draft" in page
    assert 'action=""' in page and "/learn/worked-example" not in page
    assert trainer.post(url, {"choice": "continue"}).headers["Location"].endswith(f"{url}?note=continue")
    assert "shift ran late and three people" in trainer.text(f"{url}?note=continue")
    skipped = trainer.post(url, {"choice": "skip"})  # the last section: back to the overview
    assert skipped.headers["Location"].endswith("/author/drafts/worked-example/preview")
    paused = trainer.post(url, {"choice": "pause"})
    assert "nothing is saved" in body(trainer.client.get(paused.headers["Location"]))
    assert "shift ran late" in trainer.text(f"{url}?answers=yes")  # with answers shown, straight in
