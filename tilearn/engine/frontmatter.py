"""Safe YAML for front matter and level schemes: no aliases, no tags, capped size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

MAX_FRONT_MATTER_BYTES = 16 * 1024


class FrontMatterError(ValueError):
    """YAML that cannot be accepted, with the 1-based line it was found on."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases, so alias bombs cannot expand."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D401
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise FrontMatterError(
                "YAML anchors and aliases (& and *) are not allowed",
                event.start_mark.line + 1,
            )
        return super().compose_node(parent, index)


# Dates and times stay text: a trainer writing 2024-01-01 means the words.
_StrictLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Document:
    """Parsed YAML data with the line of each top-level key."""

    data: Any
    #: line of each top-level key, and of each list item as "key[index]"
    key_lines: dict[str, int]


def load_yaml(text: str, first_line: int = 1) -> Document:
    """Load one YAML document safely; lines in errors count from ``first_line``."""
    if len(text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise FrontMatterError(f"front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KB", first_line)
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except FrontMatterError as error:
        raise FrontMatterError(str(error), error.line + first_line - 1) from None
    except yaml.MarkedYAMLError as error:
        # An unclosed [ or " is noticed lines later; point at where it was opened.
        opened = (error.context or "").startswith(("while parsing a flow", "while scanning a quoted"))
        mark = (error.context_mark if opened else None) or error.problem_mark or error.context_mark
        line = (mark.line + 1 if mark else 1) + first_line - 1
        raise FrontMatterError(f"front matter is not valid YAML: {error.problem}", line) from None
    except yaml.YAMLError as error:
        raise FrontMatterError(f"front matter is not valid YAML: {error}", first_line) from None
    finally:
        loader.dispose()
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + first_line
            if isinstance(value_node, yaml.SequenceNode):
                for index, item in enumerate(value_node.value):
                    key_lines[f"{key_node.value}[{index}]"] = item.start_mark.line + first_line
    return Document(data, key_lines)
