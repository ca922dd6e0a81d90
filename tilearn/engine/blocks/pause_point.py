"""Pause points: a gentle suggestion to stop, with a pause button beside it."""

from __future__ import annotations

from tilearn.engine.blocks.base import BlockSource, BlockType, ParseContext
from tilearn.engine.spec import PausePoint

DEFAULT_TEXT = "This is a good moment to take a breath, or a pause if you would like one."


class PausePointBlock(BlockType):
    """``::: pause-point`` with optional words of its own."""

    name = "pause-point"
    template = "blocks/pause-point.html"

    def parse(self, source: BlockSource, context: ParseContext) -> PausePoint:
        text = "\n".join(source.lines).strip() or DEFAULT_TEXT
        return PausePoint(kind=self.name, line=source.line, text_html=context.render(text))
