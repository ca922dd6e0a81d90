"""What a tilearn.plugins register(app) can do, and what stops start-up, through real entry points."""

from __future__ import annotations

import gc

import pytest

from tilearn import signals
from tilearn.engine.blocks import PluginError
from tilearn.services import organisation, progress, quizzes
from tilearn.web.library_state import current_library

PLUGIN = """
from flask import Blueprint

from tilearn import signals
from tilearn.plugins import add_level_scheme

bp = Blueprint("hello_plugin", __name__)


@bp.get("/hello-plugin")
def hello():
    return "hello from a plug-in"


def register(app):
    heard = app.extensions.setdefault("hello_plugin", [])
    names = ("section_seen", "answers_submitted", "module_completed", "user_signed_in", "user_signed_out")
    for name in names:
        def receiver(sender, _name=name, **extra):
            heard.append((_name, sender))
        getattr(signals, name).connect(receiver, sender=app, weak=False)
    app.register_blueprint(bp)
    add_level_scheme(app, "everyone", SCHEME)
"""

SCHEME_YAML = """name: Everyone together
levels:
  - key: everyone
    name: Everyone
    modules: [aware, informed, responsive, specialist]
themes:
  - key: knowledge-and-awareness
    name: Knowledge
  - key: staff-wellbeing
    name: Wellbeing
"""


@pytest.fixture
def hello_plugin(fake_plugin, tmp_path):
    """A plug-in whose register(app) adds a blueprint and a level scheme and listens to every signal."""
    scheme = tmp_path / "everyone.yaml"
    scheme.write_text(SCHEME_YAML, encoding="utf-8")
    source = PLUGIN + f"\nSCHEME = {str(scheme)!r}\n"
    fake_plugin(
        "hello-plugin", "0.1", {"tilearn.plugins": {"hello": "hello_plugin:register"}}, hello_plugin=source
    )


def test_register_adds_a_blueprint_and_a_level_scheme(hello_plugin, app, client, make_user):
    admin = make_user("admin")
    assert client.get("/hello-plugin").get_data(as_text=True) == "hello from a plug-in"
    assert app.extensions["tilearn.plugins"] == ["hello-plugin"]
    with app.test_request_context():
        organisation.update_settings(admin.id, "Org", [], "everyone")
        assert organisation.current_scheme().name == "Everyone together"


def test_every_signal_is_sent_with_the_app_as_sender(hello_plugin, app, client, make_user, sign_in):
    learner = make_user("learner")
    sign_in(learner)
    with app.test_request_context():
        module = current_library().get("worked-example")
        first, second = module.sections
        quizzes.submit_answers(learner.id, module, first, {"q-five-fs": [0]}, "k1")
        progress.record_section_seen(learner.id, module, first.id)
        from tilearn.services import completion

        assert completion.complete_module(learner.id, module) is not None
    client.post("/sign-out")
    heard = app.extensions["hello_plugin"]
    names = {name for name, _sender in heard}
    assert names == {
        "section_seen",
        "answers_submitted",
        "module_completed",
        "user_signed_in",
        "user_signed_out",
    }
    assert all(sender is app for _name, sender in heard)


def test_a_receiver_for_one_app_hears_nothing_from_another(hello_plugin, make_app, make_user):
    first = make_app()
    heard_by_first = first.extensions["hello_plugin"]
    second = make_app()
    with second.test_request_context():
        signals.user_signed_out.send(signals.sender(), user_id=1)
    assert heard_by_first == [] and second.extensions["hello_plugin"] == [("user_signed_out", second)]


def test_a_block_type_whose_template_is_missing_stops_start_up_naming_its_package(fake_plugin, make_app):
    source = """
from tilearn.engine.blocks import BlockType


class Lost(BlockType):
    name = "lost"
    template = "lost_blocks/lost.html"
"""
    fake_plugin("lost-blocks", "1.0", {"tilearn.blocks": {"lost": "lost_blocks:Lost"}}, lost_blocks=source)
    with pytest.raises(PluginError, match="block type 'lost' from package 'lost-blocks'.*not found"):
        make_app()
    # The refused app's database connections are closed: on PostgreSQL a leaked one warns when collected.
    gc.collect()
