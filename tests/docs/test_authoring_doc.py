"""docs/authoring.md tells the truth: its worked example, its numbers, its messages and its buttons."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import FIXTURE_MODULES
from tests.support.workspace import MISTAKES, module_text
from tilearn.config import PROJECT_ROOT
from tilearn.engine import load_library
from tilearn.engine.levels import load_scheme
from tilearn.engine.lint import MAX_ASSET_BYTES, MAX_MODULE_BYTES
from tilearn.engine.versions import label_key
from tilearn.services import drafts
from tilearn.services.module_versions import check_module

GUIDE = (PROJECT_ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
TEMPLATES = PROJECT_ROOT / "tilearn" / "templates"


def section(title: str) -> str:
    """The guide's text under a heading, up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(title)}\n", GUIDE, re.M)
    assert match, title
    level = len(match.group(1))
    rest = GUIDE[match.end() :]
    following = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[: following.start()] if following else rest


def test_the_worked_example_is_the_fixture_and_is_clean(tmp_path: Path):
    after = GUIDE[GUIDE.index("## A complete worked example") :]
    example = re.search(r"````markdown\n(.*?)````", after, re.S).group(1)
    fixture = FIXTURE_MODULES / "worked-example" / "module.md"
    assert example == fixture.read_text(encoding="utf-8")
    folder = tmp_path / "modules" / "worked-example"
    folder.mkdir(parents=True)
    (folder / "module.md").write_text(example, encoding="utf-8")
    (tmp_path / "modules" / "glossary.md").write_text(
        (FIXTURE_MODULES / "glossary.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    library = load_library([tmp_path / "modules"], load_scheme())
    assert library.problems == []
    module = library.get("worked-example")
    multiple = [q for q in module.questions if q.multiple]
    assert multiple and all("choose all that apply" not in q.prompt_html.lower() for q in multiple)


def test_the_upload_limits_are_the_ones_the_site_applies():
    start = section("Start a draft")
    assert f"`.md` file (up to {MAX_MODULE_BYTES // 1024} KB)" in start
    assert f"up to {drafts.MAX_ZIP_FILES} images" in start
    assert f"PDF handouts of up to {MAX_ASSET_BYTES // 1024 // 1024} MB" in start
    assert f"{drafts.MAX_ZIP_BYTES // 1024 // 1024} MB at most once unpacked" in start


def test_the_example_messages_are_what_the_checker_says(app):
    block = re.search(r"```\n(Error .*?)```", section("Edit and check"), re.S).group(1)
    lines = block.strip().split("\n")
    shown = [re.match(r"(Error|Warning) +Line (\d+): (.*)$", line).groups() for line in lines]
    with app.app_context():
        found = {
            ("Error" if p.is_error else "Warning", str(p.line), p.message)
            for text in (module_text(body=MISTAKES), module_text(minutes="30"))
            for p in check_module("aware-listening-well", text).problems
        }
    assert shown and set(shown) <= found


def test_the_buttons_and_links_it_names_are_on_the_workspace_pages():
    pages = " ".join(p.read_text(encoding="utf-8") for p in (TEMPLATES / "author").glob("*.html"))
    pages += (TEMPLATES / "base.html").read_text(encoding="utf-8")
    pages += (PROJECT_ROOT / "tilearn" / "web" / "author" / "forms.py").read_text(encoding="utf-8")
    for label in re.findall(r"\*\*([A-Z][^*]+)\*\*", section("The workspace")):
        label = " ".join(label.split())
        if label in ("Refresher recommended", "Start refresher"):  # learners' pages, tested with them
            continue
        assert label in pages or label.replace("Publish", "Publish version") in pages, label


def test_labels_are_compared_number_by_number():
    assert '`"1.10"`\ncomes after `"1.9"`' in section("Version labels must rise")
    assert label_key("1.10") > label_key("1.9") > label_key("1.1")


def test_placeholders_for_the_syntax_other_changes_add():
    for heading in ("Question banks", "Level names", "Looking after you block"):
        assert f"### {heading}\n" in GUIDE, heading
