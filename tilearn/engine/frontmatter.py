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


#: (words in the YAML library's message or context, what a trainer is told), first match wins.
PLAIN_YAML_ERRORS: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", "this line has a colon in its text; put the text in quotes"),
    ("while parsing a flow sequence", "a list opened with '[' here is not closed with ']'; close it, "
     "or put text that starts with '[' in quotes"),
    ("while parsing a flow mapping", "a '{' here is not closed with '}'; close it, or put the text in "
     "quotes"),
    ("while scanning a quoted scalar", "a quote opened on this line is never closed; end the text with the "
     "same quote mark"),
    ("'\\t' that cannot start any token", "this line is indented with a tab; use spaces"),
    ("found character '\\t'", "this line is indented with a tab; use spaces"),
    ("that cannot start any token", "a value cannot start with this character; put the text in quotes"),
    ("could not find expected ':'", "this line is not a 'field: value' line; add the colon, or join it to "
     "the line above"),
    ("while parsing a block mapping", "this line is not lined up with the fields above it; start each "
     "field at the left edge and indent list items by two spaces"),
    ("while parsing a block collection", "this list item is not lined up with the items above it; indent "
     "each '- ' by the same two spaces"),
    ("did not find expected key", "this line is not lined up with the lines above it; check its indentation"),
    ("expected <document start>", "there is text here that is not a 'field: value' line"),
    ("found duplicate anchor", "YAML anchors and aliases (& and *) are not allowed"),
)  # fmt: skip


def plain_yaml_error(error: yaml.MarkedYAMLError) -> str:
    """The YAML library's message in a trainer's words (its own words kept at the end, for support)."""
    said = f"{error.context or ''} {error.problem or ''}"
    for words, plain in PLAIN_YAML_ERRORS:
        if words in said:
            return plain
    return f"this line cannot be read; check its quotes, colons and indentation ({error.problem})"


def load_yaml(text: str, first_line: int = 1, what: str = "front matter") -> Document:
    """Load one YAML document safely; errors name it ``what`` and count lines from ``first_line``."""
    if len(text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise FrontMatterError(f"{what} is larger than {MAX_FRONT_MATTER_BYTES // 1024} KB", first_line)
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except FrontMatterError as error:
        raise FrontMatterError(str(error), error.line + first_line - 1) from None
    except yaml.MarkedYAMLError as error:
        # An unclosed [ or " is noticed lines later; point at where it was opened.
        opened = (error.context or "").startswith(
            ("while parsing a flow", "while scanning a quoted", "while scanning a simple key")
        )
        mark = (error.context_mark if opened else None) or error.problem_mark or error.context_mark
        line = (mark.line + 1 if mark else 1) + first_line - 1
        raise FrontMatterError(f"{what}: {plain_yaml_error(error)}", line) from None
    except yaml.YAMLError:
        raise FrontMatterError(
            f"{what} cannot be read; check its quotes, colons and indentation", first_line
        ) from None
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
