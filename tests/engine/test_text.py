"""Modules given as text and files: written to a folder of their own, checked like folders."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURE_MODULES
from tilearn.engine import load_library
from tilearn.engine.levels import load_scheme
from tilearn.engine.library import content_hash
from tilearn.engine.text import materialise, parse_text, text_hash

GOOD = """---
id: {id}
title: Looking after yourself
level: aware
version: "1.0"
summary: Small ways to rest.
minutes: 1
framework: F
{extra}outcomes:
  - theme: staff-wellbeing
    text: Rest.
---
## Rest {{#rest}}

Take a short break. ![A calm lake](lake.png)
"""
PNG = b"\x89PNG\r\n\x1a\nfake"


def module_text(module_id: str = "rest", extra: str = "") -> str:
    return GOOD.format(id=module_id, extra=extra)


def test_materialise_writes_the_module_once_under_its_content_hash(tmp_path):
    folder = materialise(tmp_path, "rest", module_text(), {"lake.png": PNG})
    assert folder.name == "rest" and folder.parent.name == text_hash(module_text(), {"lake.png": PNG})
    assert (folder / "module.md").read_text(encoding="utf-8") == module_text()
    assert (folder / "lake.png").read_bytes() == PNG
    assert content_hash(folder / "module.md") == folder.parent.name
    assert materialise(tmp_path, "rest", module_text(), {"lake.png": PNG}) == folder
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


@pytest.mark.parametrize(
    "name", ["../evil.png", "/etc/x.png", "a/../../b.png", ".hidden.png", "notes.txt", "x\\y.png"]
)
def test_materialise_refuses_files_a_module_may_not_carry(tmp_path, name):
    with pytest.raises(ValueError, match="cannot be part of a module"):
        materialise(tmp_path, "rest", module_text(), {name: PNG})
    assert not list(tmp_path.rglob("*.png"))


def test_parse_text_checks_like_the_library(tmp_path):
    scheme = load_scheme()
    library = load_library([FIXTURE_MODULES], scheme)
    module = parse_text(
        tmp_path,
        "rest",
        module_text(),
        {"lake.png": PNG},
        scheme,
        glossary=library.glossary,
        known_ids=library.all_modules,
    )
    assert module.id == "rest" and module.version == "1.0"
    assert not [p for p in module.problems if p.is_error], module.problems
    assert module.path == "rest/module.md"


def test_parse_text_reports_missing_files_unknown_prerequisites_and_a_wrong_id(tmp_path):
    scheme = load_scheme()
    text = module_text(module_id="other", extra="prerequisites: [nowhere]\n")
    module = parse_text(tmp_path, "rest", text, {"notes.txt": b"x"}, scheme, known_ids={"worked-example"})
    messages = [str(p) for p in module.problems]
    assert any("prerequisite 'nowhere' is not a known module" in m for m in messages)
    assert any("'lake.png' does not exist" in m for m in messages)
    assert any("must match its folder name 'rest'" in m for m in messages)
    assert any("notes.txt" in m and "cannot be part of a module" in m for m in messages)
    assert list(module.problems) == sorted(set(module.problems), key=lambda p: (p.path, p.line))


def test_parse_text_refuses_a_module_id_that_could_not_be_a_folder(tmp_path):
    module = parse_text(tmp_path, "../up", module_text(), {}, load_scheme())
    assert module.problems and module.problems[0].is_error
    assert "is not a module id" in module.problems[0].message
    assert not list(tmp_path.iterdir())
