"""The trainer's workspace: publishing with a note, version history, differences, rollback, retire."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.support.learning import make_record
from tests.support.pages import SignedInClient, body, error_summary
from tests.support.workspace import MISTAKES, NEW_ID, actions, draft_row, module_text, upload
from tilearn.extensions import db
from tilearn.models import ModuleVersion

DRAFT = f"/author/drafts/{NEW_ID}"
HISTORY = f"/author/modules/{NEW_ID}/history"


@pytest.fixture
def site(make_app):
    """The app with CSRF on, checking for a newly published library on every request."""
    return make_app(WTF_CSRF_ENABLED=True, LIBRARY_CHECK_SECONDS=0)


@pytest.fixture
def trainer(site, make_user):
    return SignedInClient(site, make_user("trainer", name="Tia Trainer"))


@pytest.fixture
def learner(site, make_user):
    return SignedInClient(site, make_user("learner", name="Lee Learner"))


def publish(trainer, note: str = "The first version.", material: str = "no"):
    return trainer.post(f"{DRAFT}/publish", {"note": note, "material": material})


def published(trainer, text: str, **change):
    """Upload (or edit) and publish a module text."""
    if trainer.get(DRAFT).status_code == 404:
        if trainer.get(HISTORY).status_code == 200:
            trainer.post(f"/author/modules/{NEW_ID}/edit")
        else:
            assert upload(trainer, "m.md", text).status_code == 302
    trainer.post(DRAFT, {"markdown": text})
    response = publish(trainer, **change)
    assert response.status_code == 302, error_summary(body(response))
    return response


def versions(app) -> list[ModuleVersion]:
    with app.app_context():
        rows = list(db.session.scalars(select(ModuleVersion).where(ModuleVersion.module_id == NEW_ID)))
        db.session.expunge_all()
        return sorted(rows, key=lambda v: v.id)


def test_publishing_is_refused_while_the_checker_finds_errors(trainer, learner, site):
    upload(trainer, "m.md", module_text(body=MISTAKES))
    page = trainer.text(f"{DRAFT}/publish")
    assert "This draft cannot be published yet" in page and "The checker found 3 errors" in page
    assert 'name="note"' not in page
    refused = publish(trainer)
    assert refused.status_code == 400 and versions(site) == []
    assert draft_row(site) is not None
    assert learner.get(f"/learn/{NEW_ID}").status_code == 404


def test_publishing_asks_for_a_note_and_whether_the_change_is_material(trainer, site):
    upload(trainer, "m.md", module_text())
    page = trainer.text(f"{DRAFT}/publish")
    assert "What changed, for learners" in page and "Is this a material change?" in page
    assert "Refresher recommended" in page  # the hint says what a material change does
    response = trainer.post(f"{DRAFT}/publish", {"note": "", "material": ""})
    assert response.status_code == 400
    assert error_summary(body(response)) == [
        ("#note", "Enter a short note for learners about what changed"),
        ("#material", "Choose whether the change is material"),
    ]
    assert versions(site) == []


def test_publishing_makes_the_version_live_removes_the_draft_and_shows_the_history(trainer, learner, site):
    upload(trainer, "m.md", module_text())
    response = publish(trainer, note="A new module about listening.")
    assert response.headers["Location"].endswith(HISTORY)
    assert draft_row(site) is None
    [first] = versions(site)
    assert (first.version, first.note, first.material, first.source) == (
        "1.0",
        "A new module about listening.",
        False,
        "site",
    )
    history = trainer.text(HISTORY)
    assert "Version 1.0 of Listening well is published" in history
    assert "A new module about listening." in history and "Tia Trainer" in history
    assert "Published on the site" in history and ">No</td>" in history
    assert learner.get(f"/learn/{NEW_ID}").status_code == 200
    again = publish(trainer)  # a second click: nothing more is published
    assert again.headers["Location"].endswith(HISTORY) and len(versions(site)) == 1
    assert "may have been published already" in trainer.text(HISTORY)
    assert any(action == "module.published" for action, _subject in actions(site))


def test_labels_must_rise_and_a_material_change_is_recorded(trainer, site):
    published(trainer, module_text())
    trainer.post(f"/author/modules/{NEW_ID}/edit")
    assert draft_row(site).based_on_version == "1.0"
    unchanged = publish(trainer, note="Nothing really.")
    assert unchanged.status_code == 400 and "Nothing has changed since version 1.0" in body(unchanged)
    trainer.post(DRAFT, {"markdown": module_text().replace("Silence can", "A pause can")})
    refused = publish(trainer, note="Reworded.")
    assert refused.status_code == 400 and "Version labels must rise" in body(refused)
    trainer.post(DRAFT, {"markdown": module_text("1.1").replace("Silence can", "A pause can")})
    assert publish(trainer, note="Section 2 is about pauses.", material="yes").status_code == 302
    history = trainer.text(HISTORY)
    assert history.index(">1.1 ") < history.index(">1.0<") and ">Yes</td>" in history
    assert [(v.version, v.material) for v in versions(site)] == [("1.0", False), ("1.1", True)]


def test_a_version_text_and_the_differences_between_two(trainer, site):
    published(trainer, module_text())
    published(trainer, module_text("1.1").replace("Silence can", "A pause can"), note="Pauses.")
    old, new = versions(site)
    text = trainer.text(f"/author/modules/{NEW_ID}/versions/{old.id}")
    assert "Silence can give people room to think." in text and old.content_hash in text
    diff = trainer.text(f"/author/modules/{NEW_ID}/differences?old={old.id}&new={new.id}")
    assert "Differences between versions 1.0 and 1.1" in diff
    assert re.search(r"Removed</td>\s*<td[^>]*><del><code>Silence can give", diff)
    assert re.search(r"Added</td>\s*<td[^>]*><ins><code>A pause can give", diff)
    assert re.search(r"Removed</td>\s*<td[^>]*><del><code>version: &#34;1.0&#34;</code></del>", diff)
    same = trainer.text(f"/author/modules/{NEW_ID}/differences?old={old.id}&new={old.id}")
    assert "The two versions have the same text." in same
    assert trainer.get(f"/author/modules/{NEW_ID}/versions/999").status_code == 404
    assert (
        trainer.get(f"/author/modules/worked-example/versions/{old.id}").status_code == 404
    )  # another module's


def test_rolling_back_publishes_the_older_text_as_a_new_version_once(trainer, site):
    published(trainer, module_text())
    published(
        trainer, module_text("1.1").replace("Silence can", "A pause can"), note="Pauses.", material="yes"
    )
    old, _new = versions(site)
    form = trainer.text(f"/author/modules/{NEW_ID}/versions/{old.id}/roll-back")
    assert "Roll back to version 1.0" in form and "1.2" in form
    current = re.search(r'name="current" type="hidden" value="(\d+)"', form).group(1)
    data = {"note": "Back to the first text.", "material": "yes", "current": current}
    first = trainer.post(f"/author/modules/{NEW_ID}/versions/{old.id}/roll-back", data)
    assert first.status_code == 302
    second = trainer.post(f"/author/modules/{NEW_ID}/versions/{old.id}/roll-back", data)
    assert second.status_code == 302 and "Nothing was published" in trainer.text(HISTORY)
    rows = versions(site)
    assert [(v.version, v.source) for v in rows] == [("1.0", "site"), ("1.1", "site"), ("1.2", "rollback")]
    assert "Silence can give" in rows[-1].markdown and rows[-1].rolled_back_from_id == old.id
    assert "Rolled back" in trainer.text(HISTORY)


def test_retiring_asks_for_a_reason_and_a_check_and_restoring_brings_it_back(trainer, learner, site):
    published(trainer, module_text())
    retire = f"/author/modules/{NEW_ID}/retire"
    missing = trainer.post(retire, {"reason": ""})
    assert error_summary(body(missing)) == [("#reason", "Enter why the module is being retired")]
    check = trainer.post(retire, {"reason": "Replaced by a longer module."})
    assert "Are you sure you want to retire this module?" in body(check)
    assert NEW_ID in learner.text("/")  # not retired until confirmed
    done = trainer.post(retire, {"reason": "Replaced by a longer module.", "confirmed": "yes"})
    assert done.headers["Location"].endswith(HISTORY)
    assert "Retired on" in trainer.text(HISTORY) and "Replaced by a longer module." in trainer.text(HISTORY)
    assert NEW_ID not in learner.text("/")
    assert "is retired already" in body(trainer.get(retire, follow_redirects=True))
    assert "Are you sure you want to restore" in trainer.text(f"/author/modules/{NEW_ID}/restore")
    assert trainer.post(f"/author/modules/{NEW_ID}/restore").status_code == 302
    assert NEW_ID in learner.text("/")
    assert {"module.retired", "module.restored"} <= {action for action, _ in actions(site)}


def test_a_retired_modules_certificates_can_still_be_checked(site, trainer, make_user):
    holder = make_user("learner", name="Hana Holder")
    code = make_record(site, holder.id).verification_code
    trainer.post("/author/modules/worked-example/retire", {"reason": "Replaced.", "confirmed": "yes"})
    assert "Noticing stress" not in SignedInClient(site, holder).text("/")
    checked = site.test_client().get(f"/verify/{code}")
    assert checked.status_code == 200
    assert "Hana Holder" in body(checked) and "A worked example" in body(checked) and "Valid" in body(checked)


def test_the_workspace_lists_drafts_and_modules_with_their_state(trainer):
    upload(trainer, "m.md", module_text())
    page = trainer.text("/author/")
    assert f'href="/author/drafts/{NEW_ID}"' in page and "a new module" in page and "Tia Trainer" in page
    assert "Noticing stress in ourselves and others" in page and "Live" in page and "Trauma Aware" in page
    assert 'href="/author/modules/worked-example/history"' in page
    history = trainer.text("/author/modules/worked-example/history")
    assert "Edit in a new draft" in history
    assert trainer.get("/author/modules/no-such-module/history").status_code == 404
