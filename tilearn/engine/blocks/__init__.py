"""Special blocks (``::: name`` … ``:::``): the plug-in contract and the built-in types."""

from __future__ import annotations

from importlib.metadata import entry_points

from tilearn.engine.blocks.base import BlockSource, BlockType, ParseContext
from tilearn.engine.blocks.content_note import ContentNoteBlock
from tilearn.engine.blocks.looking_after_you import LookingAfterYouBlock
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
    LookingAfterYouBlock,
)
ENTRY_POINT_GROUP = "tilearn.blocks"


class PluginError(RuntimeError):
    """An installed plug-in breaks the contract; the message names its package."""


def check_block_type(block: BlockType) -> BlockType:
    """Refuse a block type that has no name or declares no template to draw it."""
    if not block.name:
        raise PluginError(f"a block type from package {block.package!r} has no name")
    if not block.template:
        raise PluginError(
            f"block type {block.name!r} from package {block.package!r} declares no template "
            "to draw it (set `template` on the class)"
        )
    return block


def default_block_types(include_installed: bool = True) -> Registry[BlockType]:
    """A new registry with the built-in block types and any installed through entry points."""
    registry: Registry[BlockType] = Registry("block type")
    for block_class in BUILT_IN:
        registry.register(block_class.name, check_block_type(block_class()))
    if include_installed:
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            package = entry.dist.name if entry.dist else entry.value
            try:
                block = entry.load()()
            except Exception as error:
                raise PluginError(
                    f"block type {entry.name!r} from package {package!r} cannot be loaded: {error}"
                ) from error
            block.package = package
            if block.name in registry:
                raise PluginError(
                    f"block type {block.name!r} from package {package!r} is already registered "
                    f"by package {registry[block.name].package!r}"
                )
            registry.register(block.name, check_block_type(block))
    return registry


__all__ = ["BlockSource", "BlockType", "ParseContext", "PluginError", "default_block_types"]
