"""The site's module versions: checking a module's text against the site's library."""

from __future__ import annotations

from tests.engine.test_text import PNG, module_text
from tilearn.services import module_versions


def test_check_module_uses_the_sites_glossary_and_modules(ctx):
    text = module_text(extra="prerequisites: [worked-example]\n").replace(
        "Take a short break.", "Take a short break. See [the glossary](glossary:nothing-here)."
    )
    module = module_versions.check_module("rest", text, {"lake.png": PNG})
    errors = [p.message for p in module.problems if p.is_error]
    assert errors == ["glossary term 'nothing-here' is not in the glossary"]


def test_check_module_warns_about_the_organisations_own_words(make_app):
    app = make_app(SENSITIVE_WORDS_EXTRA=["rockfall"])
    with app.app_context():
        text = module_text().replace("Take a short break.", "A rockfall closed the road.")
        module = module_versions.check_module("rest", text, {"lake.png": PNG})
    warnings = [p.message for p in module.problems if not p.is_error]
    assert any("rockfall" in w for w in warnings), module.problems
    assert not any(p.is_error for p in module.problems)
