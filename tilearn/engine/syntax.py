"""The module syntax as a Python-Markdown extension: ``## `` sections and ``::: kind {#id}`` blocks.

:class:`ModuleSyntax` registers one preprocessor, ``tilearn-structure``, by name and
priority in Markdown's preprocessor registry. It runs first (priority 35, before
Markdown normalises whitespace), while every line is still the line the trainer
wrote, so each section, block and problem keeps its exact line number. It takes the
body apart into sections of markdown chunks and block sources; each chunk is then
rendered on its own and each block is parsed by its block type.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from tilearn.engine.blocks import BlockSource

SECTION = re.compile(r"^##(?!#)\s*(.*?)\s*(?:\{([#\w][^}]*)\})?\s*$")
#: The settings a section heading may carry in its braces: ``{#section-id draw=3}``.
DRAW = re.compile(r"(?:^|\s)draw=(\S*)")
TITLE = re.compile(r"^#(?!#)\s")
BLOCK_OPEN = re.compile(r"^:::\s*([A-Za-z][\w-]*)\s*(?:\{#([^}]*)\})?\s*$")
BLOCK_CLOSE = re.compile(r"^:::\s*$")
FENCE = re.compile(r"^(```|~~~)")
#: Runs before Markdown's own preprocessors (normalize_whitespace is 30), on the lines as written.
PRIORITY = 35


@dataclass
class Chunk:
    """Ordinary markdown lines from ``line`` on, or one special block."""

    line: int
    lines: list[str] = field(default_factory=list)
    block: BlockSource | None = None


@dataclass
class RawSection:
    """A ``## `` heading and the chunks under it, before rendering."""

    title: str
    section_id: str | None
    line: int
    chunks: list[Chunk] = field(default_factory=list)
    #: the text after ``draw=`` in the heading's braces, checked by the parser; None: no draw
    draw: str | None = None


@dataclass
class Structure:
    """A module body taken apart: the introduction's chunks, then each section."""

    intro: list[Chunk]
    sections: list[RawSection] = field(default_factory=list)


class StructurePreprocessor(Preprocessor):
    """Split the lines into sections and ``:::`` blocks, reporting malformed ones with their lines."""

    def __init__(self, md: markdown.Markdown, syntax: ModuleSyntax) -> None:
        super().__init__(md)
        self.syntax = syntax

    def run(self, lines: list[str]) -> list[str]:
        first = self.syntax.getConfig("first_line")
        report: Callable[[int, str], None] = self.syntax.getConfig("report")
        structure = Structure([Chunk(first)])
        chunks = structure.intro
        open_block: tuple[str, str | None, int, list[str]] | None = None
        in_fence = False
        for offset, raw in enumerate(lines):
            number = first + offset
            if open_block is not None:
                if BLOCK_CLOSE.match(raw):
                    kind, block_id, start, body = open_block
                    chunks.append(Chunk(start, block=BlockSource(kind, block_id, tuple(body), start)))
                    chunks.append(Chunk(number + 1))
                    open_block = None
                    continue
                if not (SECTION.match(raw) or BLOCK_OPEN.match(raw)):
                    open_block[3].append(raw)
                    continue
                # A heading or a new block inside a block: the trainer forgot the closing ':::'.
                what = "a '## ' heading" if SECTION.match(raw) else "another block"
                report(
                    open_block[2],
                    f"'::: {open_block[0]}' block is never closed with ':::'; it runs into {what} "
                    f"at line {number}: put a line of just ':::' at the end of the block",
                )
                open_block = None
            if FENCE.match(raw.strip()):
                in_fence = not in_fence
            if in_fence:
                chunks[-1].lines.append(raw)
                continue
            heading = SECTION.match(raw)
            if heading:
                section_id, draw = section_settings(heading.group(2), number, report)
                structure.sections.append(RawSection(heading.group(1), section_id, number, draw=draw))
                chunks = structure.sections[-1].chunks
                chunks.append(Chunk(number + 1))
            elif TITLE.match(raw):
                report(number, "use '## ' for section headings; the title comes from front matter")
            elif raw.startswith(":::"):
                opened = BLOCK_OPEN.match(raw)
                if opened:
                    open_block = (opened.group(1).lower(), opened.group(2), number, [])
                else:
                    report(number, "this ':::' line is not a block opening like '::: reflection {#id}'")
            else:
                chunks[-1].lines.append(raw)
        if open_block is not None:
            report(
                open_block[2],
                f"'::: {open_block[0]}' block is never closed with ':::'; put a line of just ':::' "
                "at the end of the block",
            )
        self.syntax.structure = structure
        return []  # nothing left for Markdown: each chunk is rendered on its own afterwards


def section_settings(
    braces: str | None, line: int, report: Callable[[int, str], None]
) -> tuple[str | None, str | None]:
    """(section id, draw text) from a heading's ``{#id draw=N}``; anything else is reported."""
    draws = DRAW.findall(braces or "")
    words = DRAW.sub(" ", braces or "").split()
    has_id = bool(words) and words[0].startswith("#")
    unknown = [w for w in words if "=" in w or not has_id]  # an id with a space is reported as an id
    rest = " ".join(w for w in words if w not in unknown)
    section_id = rest[1:].strip() if rest.startswith("#") else None
    for word in unknown:
        report(
            line,
            f"'{word}' is not a section setting; a heading's braces hold its id and, for a "
            "question bank, how many questions to show: {#section-id draw=3}",
        )
    if len(draws) > 1:
        report(line, "a section heading has more than one 'draw='; keep one")
    return section_id, draws[0] if draws else None


class ModuleSyntax(Extension):
    """Sections and special blocks, registered as the ``tilearn-structure`` preprocessor."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "first_line": [1, "file line number of the first body line"],
            "report": [lambda _line, _message: None, "called with (line, message) for each problem"],
        }
        super().__init__(**kwargs)
        self.structure: Structure | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.register(StructurePreprocessor(md, self), "tilearn-structure", PRIORITY)


def read_structure(body: list[str], first: int, report: Callable[[int, str], None]) -> Structure:
    """Take a module body apart with the ModuleSyntax extension; line numbers start at ``first``."""
    syntax = ModuleSyntax(first_line=first, report=report)
    markdown.Markdown(extensions=[syntax]).convert("\n".join(body))
    return syntax.structure or Structure([Chunk(first)])  # Markdown skips preprocessors for blank text
