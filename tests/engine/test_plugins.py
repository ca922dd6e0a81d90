"""Installed plug-ins as the engine sees them: block types, module folders and the cache key."""

from __future__ import annotations

from pathlib import Path

import pytest

import tilearn
from tests.conftest import FIXTURE_MODULES, write_module
from tilearn.engine import load_library
from tilearn.engine.blocks import PluginError, default_block_types
from tilearn.engine.levels import load_scheme
from tilearn.engine.library import installed_module_directories, plugin_versions
from tilearn.engine.parse import ModuleParser
from tilearn.engine.spec import Block

CALLOUT = """
from tilearn.engine.blocks import BlockType
from tilearn.engine.spec import PausePoint


class Callout(BlockType):
    name = "callout"
    template = "callout.html"

    def parse(self, source, context):
        text = context.render("\\n".join(source.lines))
        return PausePoint(kind=self.name, line=source.line, text_html=text)


class Undrawn(Callout):
    name = "undrawn"
    template = ""
"""


def test_an_installed_block_type_is_found_with_its_package(fake_plugin):
    fake_plugin(
        "callout-blocks",
        "1.0",
        {"tilearn.blocks": {"callout": "callout_blocks:Callout"}},
        callout_blocks=CALLOUT,
    )
    blocks = default_block_types()
    assert blocks["callout"].package == "callout-blocks"
    assert ("callout-blocks", "1.0") in plugin_versions()


def test_a_block_type_without_a_template_is_a_load_time_error_naming_its_package(fake_plugin):
    fake_plugin(
        "undrawn-blocks",
        "0.3",
        {"tilearn.blocks": {"undrawn": "undrawn_blocks:Undrawn"}},
        undrawn_blocks=CALLOUT,
    )
    with pytest.raises(
        PluginError, match="block type 'undrawn' from package 'undrawn-blocks' declares no template"
    ):
        default_block_types()


def test_a_block_type_that_cannot_be_imported_names_its_package(fake_plugin):
    fake_plugin("broken-blocks", "0.1", {"tilearn.blocks": {"gone": "no_such_module:Gone"}})
    with pytest.raises(PluginError, match="from package 'broken-blocks' cannot be loaded"):
        default_block_types()


def test_upgrading_a_plugin_rebuilds_cached_modules(fake_plugin, tmp_path, monkeypatch):
    fake_plugin(
        "callout-blocks",
        "1.0",
        {"tilearn.blocks": {"callout": "callout_blocks:Callout"}},
        callout_blocks=CALLOUT,
    )
    cache = tmp_path / "cache"
    load_library([FIXTURE_MODULES], load_scheme(), cache_dir=cache)
    calls = []
    original = ModuleParser.parse
    monkeypatch.setattr(ModuleParser, "parse", lambda *a, **k: calls.append(a) or original(*a, **k))
    load_library([FIXTURE_MODULES], load_scheme(), cache_dir=cache)
    assert calls == []  # warm
    fake_plugin("callout-blocks", "1.1", {"tilearn.blocks": {"callout": "callout_blocks:Callout"}})
    load_library([FIXTURE_MODULES], load_scheme(), cache_dir=cache)
    assert len(calls) == 1  # the new version parses the module again


def test_installed_module_folders_join_the_library(fake_plugin, tmp_path):
    write_module(tmp_path / "packaged" / "from-a-package")
    fake_plugin(
        "packaged-modules",
        "2.0",
        {"tilearn.modules": {"ours": "packaged_modules:FOLDER"}},
        packaged_modules=f"FOLDER = {str(tmp_path / 'packaged')!r}\n",
    )
    assert installed_module_directories() == [tmp_path / "packaged"]
    library = load_library([FIXTURE_MODULES, *installed_module_directories()], load_scheme())
    assert set(library.modules) == {"worked-example", "from-a-package"}


def test_a_missing_module_folder_names_its_package(fake_plugin, tmp_path):
    fake_plugin(
        "lost-modules",
        "1.0",
        {"tilearn.modules": {"lost": "lost_modules:folder"}},
        lost_modules=f"def folder():\n    return {str(tmp_path / 'nowhere')!r}\n",
    )
    with pytest.raises(PluginError, match="from package 'lost-modules' does not exist"):
        installed_module_directories()


def test_two_block_types_with_one_name_name_both_packages(fake_plugin):
    fake_plugin(
        "own-choice",
        "1.0",
        {"tilearn.blocks": {"mine": "own_choice:Mine"}},
        own_choice=CALLOUT
        + """

class Mine(Callout):
    name = "single-choice"
""",
    )
    with pytest.raises(
        PluginError,
        match="'single-choice' from package 'own-choice' is already registered by package 'tilearn'",
    ):
        default_block_types()


def test_every_built_in_block_type_follows_the_contract(tmp_path):
    templates = Path(tilearn.__file__).parent / "templates"
    for name in default_block_types(include_installed=False):
        block_type = default_block_types(include_installed=False)[name]
        assert block_type.package == "tilearn" and (templates / block_type.template).is_file(), name
    write_module(
        tmp_path / "noted",
        body="## One {#one}\n\n::: content-note\ntopic: loss\nhandling: mentioned\n:::\n\nText.\n",
    )
    note = load_library([tmp_path], load_scheme()).get("noted").sections[0].note
    assert isinstance(note, Block) and (note.kind, note.line, note.topic) == ("content-note", 15, "loss")
