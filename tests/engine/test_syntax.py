"""The module syntax extension: registered by name and priority, and exact about line numbers."""

from __future__ import annotations

import markdown

from tilearn.engine.syntax import PRIORITY, ModuleSyntax, read_structure


def test_the_extension_registers_its_preprocessor_by_name_and_priority():
    md = markdown.Markdown(extensions=[ModuleSyntax()])
    assert "tilearn-structure" in md.preprocessors
    assert md.preprocessors.get_index_for_name("tilearn-structure") == 0  # before Markdown's own
    assert PRIORITY > 30  # normalize_whitespace


def test_sections_and_blocks_keep_the_lines_they_were_written_on():
    problems: list[tuple[int, str]] = []
    body = [
        "Intro.",  # 10
        "",
        "## First {#first}",  # 12
        "Text.",
        "::: reflection {#r-one}",  # 14
        "\tA tab stays a tab.",
        ":::",
        "```",
        "::: not-a-block inside a fence",
        "```",
        ":::oops{",  # 20
        "## Second",  # 21
        "::: pause-point",  # 22
    ]
    structure = read_structure(body, 10, lambda line, message: problems.append((line, message)))
    assert structure.intro[0].line == 10 and structure.intro[0].lines == ["Intro.", ""]
    first, second = structure.sections
    assert (first.title, first.section_id, first.line) == ("First", "first", 12)
    block = first.chunks[1].block
    assert (block.kind, block.block_id, block.line, block.lines) == (
        "reflection",
        "r-one",
        14,
        ("\tA tab stays a tab.",),
    )
    assert "::: not-a-block inside a fence" in first.chunks[2].lines
    assert (second.title, second.section_id, second.line) == ("Second", None, 21)
    assert problems == [
        (20, "this ':::' line is not a block opening like '::: reflection {#id}'"),
        (
            22,
            "'::: pause-point' block is never closed with ':::'; put a line of just ':::' "
            "at the end of the block",
        ),
    ]


def test_a_blank_body_has_no_sections():
    structure = read_structure(["", "  "], 5, lambda *_: None)
    assert structure.sections == [] and structure.intro[0].line == 5
