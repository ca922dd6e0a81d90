"""Special blocks (``::: name`` … ``:::``): the plug-in contract and the built-in types."""

from __future__ import annotations

from importlib.metadata import entry_points

from tilearn.engine.blocks.base import BlockSource, BlockType, ParseContext
from tilearn.engine.blocks.content_note import ContentNoteBlock
from tilearn.engine.blocks.pause_point import PausePointBlock
from tilearn.engine.blocks.question import (
    MultipleChoiceBlock,
    SingleChoiceBlock,
    TrueFalseBlock,
)
from tilearn.engine.blocks.reflection import ReflectionBlock
from tilearn.engine.registry import Registry

BUILT_IN: tuple[type[BlockType], ...] = (
    SingleChoiceBlock,
    MultipleChoiceBlock,
    TrueFalseBlock,
    ContentNoteBlock,
    ReflectionBlock,
    PausePointBlock,
)
ENTRY_POINT_GROUP = "tilearn.blocks"


def default_block_types(include_installed: bool = True) -> Registry[BlockType]:
    """A new registry with the built-in block types and any installed through entry points."""
    registry: Registry[BlockType] = Registry("block type")
    for block_class in BUILT_IN:
        registry.register(block_class.name, block_class())
    if include_installed:
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            block_class = entry.load()
            registry.register(block_class.name, block_class())
    return registry


__all__ = ["BlockSource", "BlockType", "ParseContext", "default_block_types"]
