"""The contract every block type follows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from tilearn.engine.spec import Block


@dataclass(frozen=True)
class BlockSource:
    """The raw text of one block: its type, optional ``{#id}``, body lines and position."""

    kind: str
    block_id: str | None
    lines: tuple[str, ...]
    line: int  #: 1-based line of the opening ``:::``

    def body_line(self, index: int) -> int:
        """The file line number of body line ``index``."""
        return self.line + 1 + index


@dataclass
class ParseContext:
    """What a block type may use while parsing: rendering and problem reporting."""

    render: Callable[[str], str]
    render_inline: Callable[[str], str]
    report: Callable[[int, str], None]
    warn: Callable[[int, str], None]


class BlockType:
    """Base class for a block type. Subclasses set ``name`` and ``template`` and implement ``parse``.

    ``name`` is what trainers write after ``:::``. ``needs_id`` makes the ``{#id}``
    part required. ``parse`` returns a :class:`~tilearn.engine.spec.Block` (or None
    when the problems it reported make the block unusable); a scored question returns
    a :class:`~tilearn.engine.spec.Question` subclass. ``template`` is the Jinja
    template that draws the block (for learners and in the trainer preview), looked up
    in tilearn's templates and in ``template_folder``, the folder of templates the
    block's package ships. A block type from another package is registered through
    the ``tilearn.blocks`` entry point group; ``package`` is then that package's name.
    """

    name: ClassVar[str] = ""
    needs_id: ClassVar[bool] = False
    template: ClassVar[str] = ""
    template_folder: ClassVar[str | None] = None
    package: str = "tilearn"

    def parse(self, source: BlockSource, context: ParseContext) -> Block | None:
        """Turn the block's text into a Block, reporting problems through ``context``."""
        raise NotImplementedError


def split_fields(
    source: BlockSource, known: tuple[str, ...]
) -> tuple[dict[str, tuple[str, int]], list[str], int]:
    """Leading ``key: value`` lines (only known keys) and the remaining text lines."""
    fields: dict[str, tuple[str, int]] = {}
    index = 0
    for index, raw in enumerate(source.lines):  # noqa: B007 (index used after the loop)
        key, sep, value = raw.partition(":")
        if not sep or key.strip().lower() not in known:
            break
        fields[key.strip().lower()] = (value.strip(), source.body_line(index))
    else:
        index = len(source.lines)
    return fields, list(source.lines[index:]), index
