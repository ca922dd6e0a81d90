"""Loading the library: caching by content hash, plug-in blocks, level schemes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURE_MODULES, write_module
from tilearn.engine import load_library
from tilearn.engine.blocks import BlockSource, BlockType, ParseContext, default_block_types
from tilearn.engine.levels import load_scheme
from tilearn.engine.parse import ModuleParser
from tilearn.engine.registry import DuplicateNameError, Registry
from tilearn.engine.spec import Block, PausePoint


def test_a_warm_start_renders_nothing(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = load_library([FIXTURE_MODULES], load_scheme(), cache_dir=cache)
    calls = []
    original = ModuleParser.parse
    monkeypatch.setattr(ModuleParser, "parse", lambda *a, **k: calls.append(a) or original(*a, **k))
    second = load_library([FIXTURE_MODULES], load_scheme(), cache_dir=cache)
    assert calls == []
    assert second.get("worked-example") == first.get("worked-example")


def test_a_changed_file_is_parsed_again_with_a_new_hash(tmp_path):
    path = write_module(tmp_path / "mods" / "changing")
    cache = tmp_path / "cache"
    before = load_library([tmp_path / "mods"], load_scheme(), cache_dir=cache).get("changing")
    path.write_text(path.read_text().replace("Text.", "Different text."), encoding="utf-8")
    after = load_library([tmp_path / "mods"], load_scheme(), cache_dir=cache).get("changing")
    assert before.content_hash != after.content_hash
    assert "Different text." in after.sections[0].blocks[0].html


def test_a_broken_module_is_left_out_and_the_rest_are_served(tmp_path):
    write_module(tmp_path / "good-one")
    write_module(tmp_path / "bad-one", level="nonsense")
    library = load_library([tmp_path], load_scheme())
    assert list(library.modules) == ["good-one"]
    assert set(library.all_modules) == {"good-one", "bad-one"}
    assert any("unknown level 'nonsense'" in str(p) for p in library.errors)


def test_registry_refuses_a_name_twice():
    registry: Registry[int] = Registry("thing")
    registry.register("a", 1)
    with pytest.raises(DuplicateNameError, match="thing 'a' is registered twice"):
        registry.register("a", 2)
    assert default_block_types() is not default_block_types()  # no shared mutable state


class CalloutBlock(BlockType):
    """A block type a separate package could add through the tilearn.blocks entry point."""

    name = "callout"
    template = "callout.html"

    def parse(self, source: BlockSource, context: ParseContext) -> Block:
        return PausePoint(kind=self.name, line=source.line, text_html=context.render("\n".join(source.lines)))


def test_a_new_block_type_can_be_registered(tmp_path):
    write_module(
        tmp_path / "with-callout", body="## One {#one}\n\n::: callout\nRemember to *breathe*.\n:::\n"
    )
    plain = load_library([tmp_path], load_scheme(), blocks=default_block_types())
    assert any("unknown block type 'callout'" in str(p) for p in plain.problems)
    blocks = default_block_types()
    blocks.register("callout", CalloutBlock())
    extended = load_library([tmp_path], load_scheme(), blocks=blocks)
    block = extended.get("with-callout").sections[0].blocks[0]
    assert block.kind == "callout" and "<em>breathe</em>" in block.text_html


def test_the_hampshire_scheme_maps_the_shipped_levels():
    scheme = load_scheme("hampshire")
    assert [level.name for level in scheme.levels] == [
        "Trauma Informed",
        "Trauma Skilled",
        "Trauma Enhanced",
        "Trauma Specialist",
    ]
    assert scheme.level_for_module("aware").key == "informed"
    assert scheme.level_for_module("informed").key == "skilled"
    assert scheme.level_for_module("responsive").key == "enhanced"
    assert scheme.level_for_module("specialist").key == "specialist"
    library = load_library([FIXTURE_MODULES], scheme)
    assert library.by_level()[0][0].name == "Trauma Informed"
    assert [m.id for m in library.by_level()[0][1]] == ["worked-example"]


def test_a_scheme_file_can_be_given_by_path(tmp_path: Path):
    path = tmp_path / "ours.yaml"
    path.write_text(
        "name: Ours\nlevels:\n  - key: everyone\n    name: Everyone\n    modules: [aware]\n"
        "themes:\n  - key: staff-wellbeing\n    name: Wellbeing\n",
        encoding="utf-8",
    )
    scheme = load_scheme(str(path))
    assert scheme.level_for_module("aware").name == "Everyone"
    with pytest.raises(ValueError, match="cannot be read"):
        load_scheme(str(tmp_path / "missing.yaml"))


def test_a_level_lists_its_modules_after_their_prerequisites(tmp_path):
    mods = tmp_path / "mods"
    write_module(mods / "a-later", prerequisites="[c-second]", title="Later")
    write_module(mods / "b-other", title="Other")
    write_module(mods / "c-second", prerequisites="[z-first]", title="Second")
    write_module(mods / "z-first", title="First")
    write_module(mods / "x-informed", level="informed", title="Informed")
    library = load_library([mods], load_scheme())
    assert list(library.modules) == ["b-other", "z-first", "c-second", "a-later", "x-informed"]
