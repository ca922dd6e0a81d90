"""Section content notes: what is coming and how it is handled, before the learner chooses."""

from __future__ import annotations

from tilearn.engine.blocks.base import BlockSource, BlockType, ParseContext, split_fields
from tilearn.engine.spec import ContentNote

HANDLINGS = ("mentioned", "described", "case study")
YES = {"yes", "true"}
NO = {"no", "false", ""}


class ContentNoteBlock(BlockType):
    """``::: content-note`` with ``topic:``, ``handling:`` and ``optional:`` lines."""

    name = "content-note"
    template = "blocks/content-note.html"

    def parse(self, source: BlockSource, context: ParseContext) -> ContentNote | None:
        fields, text, _ = split_fields(source, ("topic", "handling", "optional"))
        topic, _line = fields.get("topic", ("", source.line))
        handling, handling_line = fields.get("handling", ("", source.line))
        optional, optional_line = fields.get("optional", ("no", source.line))
        if not topic:
            context.report(source.line, "content note has no 'topic:'")
        if handling.lower() not in HANDLINGS:
            context.report(
                handling_line,
                f"content note 'handling:' must be one of {', '.join(HANDLINGS)}",
            )
        if optional.lower() not in YES | NO:
            context.report(optional_line, "content note 'optional:' must be yes or no")
        return ContentNote(
            kind=self.name,
            line=source.line,
            topic=topic,
            handling=handling.lower(),
            optional=optional.lower() in YES,
            text_html=context.render("\n".join(text).strip()),
        )
