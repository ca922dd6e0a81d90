"""Read one module file: front matter and markdown body to a Module, keeping line numbers."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from tilearn.engine import assessment, level_names, lint, minutes
from tilearn.engine.blocks import BlockSource, BlockType, ParseContext
from tilearn.engine.frontmatter import FrontMatterError, load_yaml
from tilearn.engine.levels import LevelScheme
from tilearn.engine.registry import Registry
from tilearn.engine.render import Reference, Renderer
from tilearn.engine.spec import (
    Block,
    ContentNote,
    Glossary,
    GlossaryTerm,
    Html,
    Module,
    Problem,
    Question,
    Section,
)
from tilearn.engine.syntax import Chunk, RawSection, read_structure


class _Problems:
    """Collects problems for one file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.items.append(Problem(self.path, line, message))

    def warn(self, line: int, message: str) -> None:
        self.items.append(Problem(self.path, line, message, "warning"))


def slugify(text: str) -> str:
    """A section id made from heading text."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64].rstrip("-")


def split_front_matter(text: str, problems: _Problems) -> tuple[str, int, list[str], int]:
    """(front matter text, its first line, body lines, first body line)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.error(1, "the file must start with front matter between two '---' lines")
        return "", 1, lines, 1
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), 2, lines[index + 1 :], index + 2
    problems.error(1, "front matter has no closing '---' line")
    return "", 1, [], len(lines) + 1


def _line_of(target: str, chunk: Chunk) -> int:
    """Best line for a reference: the first chunk line that mentions it."""
    for offset, raw in enumerate(chunk.lines):
        if target and target in raw:
            return chunk.line + offset
    return chunk.line


class ModuleParser:
    """Parses module files with one scheme, block registry and renderer."""

    def __init__(
        self,
        scheme: LevelScheme,
        blocks: Registry[BlockType],
        renderer: Renderer | None = None,
        glossary_ids: frozenset[str] | None = None,
        sensitive: re.Pattern[str] | None = None,
    ) -> None:
        self.scheme = scheme
        self.blocks = blocks
        self.renderer = renderer or Renderer()
        self.glossary_ids = glossary_ids
        self.sensitive = sensitive or lint.SENSITIVE

    def parse(self, path: Path, display_path: str, content_hash: str) -> Module:
        """Parse one module file; the Module carries every problem found (a placeholder if unreadable)."""
        problems = _Problems(display_path)
        try:
            raw = path.read_bytes()
        except OSError as error:
            problems.error(1, f"cannot be read: {error.strerror}")
            return _unusable(path, display_path, content_hash, problems)
        if len(raw) > lint.MAX_MODULE_BYTES:
            problems.error(1, f"the file is larger than {lint.MAX_MODULE_BYTES // 1024} KB")
            return _unusable(path, display_path, content_hash, problems)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.error(1, "the file is not UTF-8 text")
            return _unusable(path, display_path, content_hash, problems)
        front, front_line, body, body_line = split_front_matter(text, problems)
        clean: dict = {}
        key_lines: dict[str, int] = {}
        if front_line > 1:
            try:
                document = load_yaml(front, front_line)
            except FrontMatterError as error:
                problems.error(error.line, str(error))
            else:
                key_lines = document.key_lines
                clean = lint.check_front_matter(document.data, key_lines, self.scheme, problems.error)
                lint.check_wording(
                    [(key_lines.get(key, 1), clean[key]) for key in lint.VISIBLE_FIELDS if key in clean],
                    problems.error,
                )
        folder_name = path.parent.name
        module_id = clean.get("id", folder_name)
        if "id" in clean and clean["id"] != folder_name:
            problems.error(
                key_lines.get("id", 1),
                f"module id '{clean['id']}' must match its folder name '{folder_name}'",
            )
        self.renderer.module_id = module_id
        references: list[tuple[int, Reference]] = []
        structure = read_structure(body, body_line, problems.error)
        intro_chunks, raw_sections = structure.intro, structure.sections
        intro_html = self._render_intro(intro_chunks, references, problems)
        learner_lines = lint.learner_lines(body, body_line)
        lint.check_wording(learner_lines, problems.error)
        share: dict[int, float] = {}
        sections = self._sections(raw_sections, learner_lines, references, problems, share)
        if not raw_sections and (front_line > 1 or body):  # (an unclosed front matter is reported)
            problems.error(body_line, "the module has no sections: start each with a '## ' heading")
        lint.check_titles(sections, problems.error)
        lint.check_note_topics(
            tuple(
                (topic, key_lines.get(f"content_notes[{index}]", clean.get("content_notes_line", 1)))
                for index, (topic, _handling) in enumerate(clean.get("content_notes", ()))
            ),
            sections,
            problems.warn,
        )
        section_ids = {s.id for s in sections}
        lint.check_references(
            references, section_ids, self.glossary_ids, path.parent, problems.error, problems.warn
        )
        assessment.check_assessment(sections, problems.warn)
        visible = [(key_lines.get(key, 1), clean[key]) for key in lint.VISIBLE_FIELDS if key in clean]
        level_names.check_no_tokens(visible, problems.error)
        outcomes = [
            (key_lines.get(f"outcomes[{index}]", key_lines.get("outcomes", 1)), outcome.text)
            for index, outcome in enumerate(clean.get("outcomes", ()))
        ]
        level_names.check_tokens(
            outcomes + learner_lines,
            self.scheme,
            problems.error,
            module_level=clean.get("level"),
            warn=problems.warn,
        )
        level_names.check_hard_coded(visible + outcomes + learner_lines, problems.warn)
        computed = minutes.computed_minutes(
            learner_lines,
            sum(s.shown_per_attempt for s in sections),
            sum(len(s.reflections) for s in sections),
            share,
        )
        minutes.check_minutes(clean.get("minutes"), computed, key_lines.get("minutes", 1), problems.warn)
        return Module(
            id=module_id,
            title=clean.get("title", module_id),
            level=clean.get("level", ""),
            version=clean.get("version", ""),
            summary=clean.get("summary", ""),
            minutes=clean.get("minutes", 0),
            computed_minutes=computed,
            framework=clean.get("framework", ""),
            path=display_path,
            content_hash=content_hash,
            outcomes=clean.get("outcomes", ()),
            content_notes=tuple(
                ContentNote(kind="content-note", line=clean.get("content_notes_line", 1), topic=t, handling=h)
                for t, h in clean.get("content_notes", ())
            ),
            pass_mark=clean.get("pass_mark", 80),
            refresher_months=clean.get("refresher_months"),
            prerequisites=clean.get("prerequisites", ()),
            prerequisites_line=clean.get("prerequisites_line", 1),
            material_change=clean.get("material_change", False),
            intro_html=intro_html,
            sections=tuple(sections),
            problems=tuple(dict.fromkeys(problems.items)),
        )

    def _render_intro(
        self, chunks: list[Chunk], references: list[tuple[int, Reference]], problems: _Problems
    ) -> str:
        html: list[str] = []
        for chunk in chunks:
            if chunk.block is not None:
                problems.error(chunk.line, "special blocks must be inside a section (after a '## ' heading)")
                continue
            html.append(self._render(chunk, references))
        return "".join(html)

    def _render(self, chunk: Chunk, references: list[tuple[int, Reference]]) -> str:
        rendered = self.renderer.render("\n".join(chunk.lines))
        references.extend((_line_of(r.target, chunk), r) for r in rendered.references)
        return rendered.html

    def _sections(
        self,
        raw_sections: list[RawSection],
        learner_lines: list[tuple[int, str]],
        references: list[tuple[int, Reference]],
        problems: _Problems,
        share: dict[int, float],
    ) -> list[Section]:
        """The sections, checked; ``share`` is filled with the part of each bank question's lines read."""
        sections: list[Section] = []
        ends = [raw.line for raw in raw_sections[1:]] + [10**9] if raw_sections else []
        seen_sections: set[str] = set()
        seen_blocks: set[str] = set()
        for raw, end in zip(raw_sections, ends, strict=True):
            section_id = raw.section_id if raw.section_id is not None else slugify(raw.title)
            if not raw.title:
                problems.error(raw.line, "section heading has no text")
            if lint.check_id(section_id, f"section '{raw.title}'", raw.line, problems.error):
                if section_id in seen_sections:
                    problems.error(raw.line, f"duplicate section id '{section_id}'")
                seen_sections.add(section_id)
            blocks: list[Block] = []
            asked: list[BlockSource] = []  #: the question blocks, for the reading time of a bank
            note: ContentNote | None = None
            for chunk in raw.chunks:
                if chunk.block is None:
                    if "".join(chunk.lines).strip():
                        blocks.append(
                            Html(kind="html", line=chunk.line, html=self._render(chunk, references))
                        )
                    continue
                parsed = self._block(chunk.block, references, problems, seen_blocks)
                if isinstance(parsed, Question):
                    asked.append(chunk.block)
                if isinstance(parsed, ContentNote):
                    if note is not None:
                        problems.error(chunk.line, "a section can have only one content note")
                    elif blocks:
                        problems.error(chunk.line, "a content note must come first in its section")
                    note = parsed
                elif parsed is not None:
                    blocks.append(parsed)
            section = Section(section_id or "", raw.title, raw.line, tuple(blocks), note)
            draw = assessment.check_draw(section, raw.draw, problems.error)
            if draw is not None:
                section = dataclasses.replace(section, draw=draw)
                part = section.shown_per_attempt / len(section.questions)
                for source in asked:
                    share.update((source.body_line(index), part) for index in range(len(source.lines)))
            lines = [(n, t) for n, t in learner_lines if raw.line <= n < end]
            lint.check_sensitive_words(section, lines, self.sensitive, problems.warn)
            sections.append(section)
        return sections

    def _block(
        self,
        source: BlockSource,
        references: list[tuple[int, Reference]],
        problems: _Problems,
        seen_blocks: set[str],
    ) -> Block | None:
        block_type = self.blocks.get(source.kind)
        if block_type is None:
            known = ", ".join(self.blocks)
            problems.error(source.line, f"unknown block type '{source.kind}' (known: {known})")
            return None
        if block_type.needs_id:
            if not lint.check_id(source.block_id, source.kind, source.line, problems.error):
                return None
            if source.block_id in seen_blocks:
                problems.error(source.line, f"duplicate id '{source.block_id}'")
            seen_blocks.add(source.block_id)
        elif source.block_id is not None:
            problems.warn(source.line, f"'{source.kind}' blocks do not use an id; it is ignored")

        def render(text: str, inline: bool = False) -> str:
            rendered = self.renderer.render(text, inline=inline)
            references.extend(
                (_line_of(r.target, Chunk(source.line + 1, list(source.lines))), r)
                for r in rendered.references
            )
            return rendered.html

        context = ParseContext(
            render=render,
            render_inline=lambda text: render(text, inline=True),
            report=problems.error,
            warn=problems.warn,
        )
        return block_type.parse(source, context)


def _unusable(path: Path, display_path: str, content_hash: str, problems: _Problems) -> Module:
    """A placeholder Module that only carries problems."""
    return Module(
        id=path.parent.name,
        title=path.parent.name,
        level="",
        version="",
        summary="",
        minutes=0,
        framework="",
        path=display_path,
        content_hash=content_hash,
        problems=tuple(problems.items),
    )


def parse_glossary(
    path: Path, display_path: str, renderer: Renderer, scheme: LevelScheme | None = None
) -> tuple[Glossary, list[Problem]]:
    """Read the shared glossary: front matter with a title, then one '## Term {#id}' per term.

    Level names are checked as in modules; a ``[[level:KEY]]`` here must name a module level
    (there is no module for ``this`` or ``next`` to be relative to).
    """
    problems = _Problems(display_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.error(1, f"glossary cannot be read: {error}")
        return Glossary(), problems.items
    front, front_line, body, body_line = split_front_matter(text, problems)
    title = "Glossary"
    if front_line > 1:
        try:
            data = load_yaml(front, front_line).data or {}
            title = str(data.get("title", title)) if isinstance(data, dict) else title
        except FrontMatterError as error:
            problems.error(error.line, str(error))
    raw_sections = read_structure(body, body_line, problems.error).sections
    lines = lint.learner_lines(body, body_line)
    level_names.check_hard_coded(lines, problems.warn)
    if scheme is not None:
        level_names.check_tokens(lines, scheme, problems.error, relative=False)
    renderer.module_id = "glossary"
    terms, seen = [], set()
    for raw in raw_sections:
        term_id = raw.section_id if raw.section_id is not None else slugify(raw.title)
        if not lint.check_id(term_id, f"glossary term '{raw.title}'", raw.line, problems.error):
            continue
        if term_id in seen:
            problems.error(raw.line, f"duplicate glossary term id '{term_id}'")
        seen.add(term_id)
        body_text = "\n".join(line for chunk in raw.chunks for line in chunk.lines)
        terms.append(GlossaryTerm(term_id, raw.title, renderer.render(body_text).html))
    return Glossary(title, tuple(terms)), problems.items
