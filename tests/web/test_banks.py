"""Question banks, refreshers, rewritten questions, level names and looking-after-you for learners."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tests.conftest import write_module
from tests.support.learning import attempt_key
from tests.web.conftest import signed_in
from tilearn.extensions import db
from tilearn.models import QuestionResult, QuizAttempt
from tilearn.services import certificates, organisation, progress, quizzes
from tilearn.web.library_state import current_library

MODULE = "/learn/banked"


def single(number: int) -> str:
    return (
        f"::: single-choice {{#q-{number}}}\nSituation {number}: what would you do first?\n\n"
        "- [x] Ask what would help\n  Yes: asking gives a choice back.\n"
        "- [ ] Tell them firmly to calm down\n  Not quite: being told rarely calms anyone.\n"
        "- [ ] Fetch a colleague straight away\n  Not quite: ask first what they would like.\n:::\n\n"
    )


def plain_question(statement: str, true: bool) -> str:
    return (
        f"::: true-false {{#q-t}}\n{statement}\n\n"
        f"- [{'x' if true else ' '}] True\n  About true.\n"
        f"- [{' ' if true else 'x'}] False\n  About false.\n:::\n"
    )


def body(statement: str = "Pausing is always allowed.", true: bool = True) -> str:
    return (
        "## How this course looks after you {#looking-after-you}\n\n"
        "::: looking-after-you\nAt [[level:this]] and after it, this is how the course looks after you.\n"
        ":::\n\n"
        "## Bank {#bank draw=2}\n\nSome reading first.\n\n"
        + "".join(single(n) for n in range(1, 6))
        + "## Plain {#plain}\n\nMore reading.\n\n"
        + plain_question(statement, true)
    )


@pytest.fixture
def modules(tmp_path):
    folder = tmp_path / "modules"
    write_module(folder / "banked", body=body(), minutes="6")
    return folder


@pytest.fixture
def banked_app(make_app, modules):
    return make_app(MODULES_DIRS=[str(modules)])


def shown_ids(html: str) -> list[str]:
    return re.findall(r'id="question-(q-[\w-]+)"', html)


def test_a_bank_shows_its_draw_records_it_and_a_retry_shows_others(banked_app, make_user):
    learner = make_user()
    client = signed_in(banked_app, learner)
    page = client.get(f"{MODULE}/bank?note=continue").get_data(as_text=True)
    first = shown_ids(page)
    assert len(first) == 2 and 'name="draw" value="0"' in page
    assert "These are 2 of the 5 questions in this section" in page
    assert shown_ids(client.get(f"{MODULE}/bank?note=continue").get_data(as_text=True)) == first  # reload
    hidden = next(q for q in ("q-1", "q-2", "q-3", "q-4", "q-5") if q not in first)
    answers = {f"q-{qid}": "0" for qid in first} | {f"q-{hidden}": "1"}  # a question not shown is ignored
    client.post(f"{MODULE}/bank/answers", data={**answers, "draw": "0", "attempt_key": attempt_key(page)})
    with banked_app.app_context():
        attempt = db.session.scalars(select(QuizAttempt)).one()
        assert sorted(json.loads(attempt.answers)) == sorted(first)
        module = current_library().get("banked")
        shown = {q.id: q.fingerprint for q in module.section("bank").questions if q.id in first}
        assert json.loads(attempt.questions) == shown and attempt.cycle == 1
        assert quizzes.module_score(learner.id, module) == 67  # 2 of 2 in the bank, the plain one unanswered
    checked = client.get(f"{MODULE}/bank?note=continue").get_data(as_text=True)
    assert shown_ids(checked) == first and checked.count("That’s right.") == 2
    assert "Try other questions" in checked and 'id="answers-form"' not in checked
    assert f"{MODULE}/bank?note=continue&amp;retry=1#answers" in checked
    retry = client.get(f"{MODULE}/bank?note=continue&retry=1").get_data(as_text=True)
    second = shown_ids(retry)
    assert len(second) == 2 and not set(first) & set(second) and 'name="draw" value="1"' in retry
    assert "That’s right." not in retry
    wrong = {f"q-{qid}": "1" for qid in second}
    client.post(f"{MODULE}/bank/answers", data={**wrong, "draw": "1", "attempt_key": attempt_key(retry)})
    with banked_app.app_context():
        module = current_library().get("banked")
        assert quizzes.module_score(learner.id, module) == 0  # the latest attempt is the one that counts
    again = client.get(f"{MODULE}/bank?note=continue").get_data(as_text=True)
    assert shown_ids(again) == second and "Not quite yet" in again


def test_a_refresher_starts_with_no_answers_filled_in(banked_app, make_user):
    learner = make_user()
    client = signed_in(banked_app, learner)
    page = client.get(f"{MODULE}/plain?note=continue").get_data(as_text=True)
    client.post(f"{MODULE}/plain/answers", data={"q-q-t": "0", "attempt_key": attempt_key(page)})
    assert "That’s right." in client.get(f"{MODULE}/plain?note=continue").get_data(as_text=True)
    with banked_app.app_context():
        module = current_library().get("banked")
        certificates.start_refresher(learner.id, module)
        db.session.commit()
        mine = progress.section_page_state(learner.id, module.id, "plain")
        assert mine.cycle == 2 and mine.checked is None and mine.attempts == 0
    fresh = client.get(f"{MODULE}/plain?note=continue").get_data(as_text=True)
    assert (
        "That’s right." not in fresh
        and " checked" not in fresh.split('id="question-q-t"')[1].split("</fieldset>")[0]
    )


def test_a_rewritten_question_is_not_filled_in_or_marked_from_the_old_answer(make_app, modules, make_user):
    learner = make_user()
    before = make_app(MODULES_DIRS=[str(modules)])
    client = signed_in(before, learner)
    page = client.get(f"{MODULE}/plain?note=continue").get_data(as_text=True)
    client.post(f"{MODULE}/plain/answers", data={"q-q-t": "0", "attempt_key": attempt_key(page)})
    client.post("/pause", data={"module_id": "banked", "section_id": "plain", "q-q-t": "0"})
    with before.app_context():
        old = current_library().get("banked")
        assert quizzes.module_score(learner.id, old) == 33  # the plain one right, the bank unanswered
        assert db.session.scalars(select(QuestionResult)).one().fingerprint == old.question("q-t").fingerprint
    # Same id, new statement, the other answer right: option 0 ("True") must not carry over.
    write_module(modules / "banked", body=body("Pausing loses your place.", true=False), minutes="6")
    after = make_app(MODULES_DIRS=[str(modules)])
    client = signed_in(after, learner)
    rewritten = client.get(f"{MODULE}/plain?note=continue").get_data(as_text=True)
    question = rewritten.split('id="question-q-t"')[1].split("</fieldset>")[0]
    assert "Pausing loses your place." in question
    assert "That’s right." not in question and "Not quite yet" not in question and " checked" not in question
    with after.app_context():
        new = current_library().get("banked")
        assert new.question("q-t").fingerprint != old.question("q-t").fingerprint
        assert quizzes.module_score(learner.id, new) == 0  # the old right answer is not counted
        mine = progress.section_page_state(learner.id, new.id, "plain")
        assert mine.draft == {"q-t": [0]}  # the draft is kept, but is not put back on the page:
        assert quizzes.quiz_view(learner.id, new, new.section("plain"), mine, retry=False).draft == {}


@pytest.mark.parametrize(
    ("scheme", "level_name"),
    [("west-midlands", "Level 1: Trauma Aware"), ("hampshire", "Level 1: Trauma Informed")],
)
def test_looking_after_you_shows_the_organisations_own_contacts_and_level(
    banked_app, make_user, scheme, level_name
):
    admin, learner = make_user("admin"), make_user()
    contacts = [{"name": "Wellbeing at Northtown Council", "detail": "Call 01632 960123, weekdays"}]
    with banked_app.app_context():
        organisation.update_settings(admin.id, "Northtown Council", contacts, scheme)
        db.session.commit()
    page = signed_in(banked_app, learner).get(f"{MODULE}/looking-after-you").get_data(as_text=True)
    assert "Wellbeing at Northtown Council" in page and "Call 01632 960123, weekdays" in page
    assert f"At {level_name} and after it" in page and "[[level" not in page
    assert "You can pause at any time" in page and "Exit this page" in page
    assert "never shown to your manager" in page and 'href="/grounding"' in page
    block = page.split("tl-looking-after-you")[1].split("call 999.")[0]
    assert "<form" not in block and "<input" not in block and 'id="answers-form"' not in page  # no answers


def test_the_trainers_preview_shows_the_whole_bank(banked_app, make_user):
    trainer = make_user("trainer")
    page = signed_in(banked_app, trainer).get("/author/banked").get_data(as_text=True)
    assert shown_ids(page) == ["q-1", "q-2", "q-3", "q-4", "q-5", "q-t"]
    assert page.count("Question bank: each attempt shows learners 2 of the 5 questions below") == 1
