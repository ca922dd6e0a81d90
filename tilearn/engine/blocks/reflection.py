"""Reflection prompts: private, never scored."""

from __future__ import annotations

from tilearn.engine.blocks.base import BlockSource, BlockType, ParseContext
from tilearn.engine.spec import Reflection


class ReflectionBlock(BlockType):
    """``::: reflection {#id}`` followed by the prompt."""

    name = "reflection"
    template = "blocks/reflection.html"
    needs_id = True

    def parse(self, source: BlockSource, context: ParseContext) -> Reflection | None:
        text = "\n".join(source.lines).strip()
        if not text:
            context.report(source.line, f"reflection '{source.block_id}' has no prompt")
        return Reflection(
            kind=self.name,
            line=source.line,
            id=source.block_id or "",
            prompt_html=context.render(text),
        )
