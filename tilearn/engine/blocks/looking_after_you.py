"""The "how this course looks after you" block: pause, quick exit, privacy and support, from settings."""

from __future__ import annotations

from tilearn.engine.blocks.base import BlockSource, BlockType, ParseContext
from tilearn.engine.spec import LookingAfterYou


class LookingAfterYouBlock(BlockType):
    """``::: looking-after-you`` with an optional introduction of the trainer's own.

    The rest is drawn from the organisation's settings when the page is shown, so the
    support contacts are always the organisation's current ones. It has no state and no answer.
    """

    name = "looking-after-you"
    template = "blocks/looking-after-you.html"

    def parse(self, source: BlockSource, context: ParseContext) -> LookingAfterYou:
        return LookingAfterYou(
            kind=self.name, line=source.line, intro_html=context.render("\n".join(source.lines).strip())
        )
