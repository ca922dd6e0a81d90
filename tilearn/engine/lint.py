"""The checks a module must pass, each reported as Problem(path, line, message)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeGuard

from tilearn.engine.assets import ASSET_TYPES, asset_type
from tilearn.engine.blocks.content_note import HANDLINGS
from tilearn.engine.levels import LevelScheme
from tilearn.engine.render import Reference
from tilearn.engine.spec import ID_PATTERN, Outcome, Section

ID = re.compile(ID_PATTERN)
MAX_MODULE_BYTES = 512 * 1024
MAX_ASSET_BYTES = 1024 * 1024
REQUIRED = ("id", "title", "level", "version", "summary", "minutes", "outcomes", "framework")
OPTIONAL = ("content_notes", "pass_mark", "refresher_months", "prerequisites", "material_change")
SENSITIVE = re.compile(
    r"\b(abus\w*|suicid\w*|self-harm\w*|rape\w*|sexual violence|domestic violence|"
    r"bereave\w*|murder\w*|assault\w*)\b",
    re.IGNORECASE,
)

Report = Callable[[int, str], None]


def check_front_matter(
    data: Any, key_lines: dict[str, int], scheme: LevelScheme, report: Report
) -> dict[str, Any]:
    """Check every front-matter field; return cleaned values (bad ones left out)."""
    if not isinstance(data, dict):
        report(1, "front matter must be a list of 'field: value' lines")
        return {}
    clean: dict[str, Any] = {}

    def line(key: str) -> int:
        return key_lines.get(key, 1)

    for key in data:
        if key not in REQUIRED and key not in OPTIONAL:
            report(line(str(key)), f"unknown front matter field '{key}'")
    for key in REQUIRED:
        if data.get(key) in (None, "", []):
            report(1, f"front matter is missing '{key}'")
    text_fields = ("title", "summary", "framework")
    for key in text_fields:
        if key in data and data[key] not in (None, ""):
            if isinstance(data[key], str):
                clean[key] = data[key].strip()
            else:
                report(line(key), f"'{key}' must be text")
    if data.get("id") not in (None, ""):
        module_id = str(data["id"])
        if ID.match(module_id):
            clean["id"] = module_id
        else:
            report(
                line("id"),
                f"module id '{module_id}' must be lower-case letters, digits and hyphens "
                "(at most 64, starting with a letter or digit)",
            )
    if data.get("level") not in (None, ""):
        level = str(data["level"])
        if level in scheme.module_level_keys():
            clean["level"] = level
        else:
            known = ", ".join(sorted(scheme.module_level_keys()))
            report(line("level"), f"unknown level '{level}' (expected one of: {known})")
    if data.get("version") not in (None, ""):
        version = data["version"]
        if isinstance(version, float):
            report(line("version"), 'version must be in quotes, for example version: "1.0"')
        else:
            clean["version"] = str(version)
    _whole_number(data, "minutes", 1, 600, line, report, clean)
    _whole_number(data, "pass_mark", 0, 100, line, report, clean)
    _whole_number(data, "refresher_months", 1, 240, line, report, clean)
    if "material_change" in data:
        if isinstance(data["material_change"], bool):
            clean["material_change"] = data["material_change"]
        else:
            report(line("material_change"), "'material_change' must be true or false")
    clean["outcomes"] = _outcomes(data.get("outcomes"), key_lines, scheme, report)
    clean["content_notes"] = _content_notes(data.get("content_notes"), key_lines, report)
    clean["content_notes_line"] = line("content_notes")
    prerequisites = data.get("prerequisites") or []
    if not isinstance(prerequisites, list) or not all(isinstance(p, str) for p in prerequisites):
        report(line("prerequisites"), "'prerequisites' must be a list of module ids")
    else:
        clean["prerequisites"] = tuple(prerequisites)
        clean["prerequisites_line"] = line("prerequisites")
    return clean


def _whole_number(
    data: dict[str, Any],
    key: str,
    low: int,
    high: int,
    line: Callable[[str], int],
    report: Report,
    clean: dict[str, Any],
) -> None:
    if key not in data:
        return
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        report(line(key), f"'{key}' must be a whole number from {low} to {high}")
    else:
        clean[key] = value


def _outcomes(
    value: Any, key_lines: dict[str, int], scheme: LevelScheme, report: Report
) -> tuple[Outcome, ...]:
    line = key_lines.get("outcomes", 1)
    if value is None:
        return ()
    if not isinstance(value, list):
        report(line, "'outcomes' must be a list of items with 'theme' and 'text'")
        return ()
    outcomes = []
    for number, item in enumerate(value, start=1):
        line = key_lines.get(f"outcomes[{number - 1}]", line)
        if not isinstance(item, dict) or not item.get("theme") or not item.get("text"):
            report(line, f"outcome {number} needs both 'theme' and 'text'")
            continue
        if scheme.theme(str(item["theme"])) is None:
            report(line, f"outcome {number} has unknown theme '{item['theme']}'")
            continue
        extra = set(item) - {"theme", "text"}
        if extra:
            report(line, f"outcome {number} has unknown field '{sorted(extra)[0]}'")
        outcomes.append(Outcome(str(item["theme"]), str(item["text"])))
    return tuple(outcomes)


def _content_notes(value: Any, key_lines: dict[str, int], report: Report) -> tuple[tuple[str, str], ...]:
    line = key_lines.get("content_notes", 1)
    if value is None:
        return ()
    if not isinstance(value, list):
        report(line, "'content_notes' must be a list of items with 'topic' and 'handling'")
        return ()
    notes = []
    for number, item in enumerate(value, start=1):
        line = key_lines.get(f"content_notes[{number - 1}]", line)
        if not isinstance(item, dict) or not item.get("topic"):
            report(line, f"content note {number} needs a 'topic'")
            continue
        handling = str(item.get("handling", "")).lower()
        if handling not in HANDLINGS:
            report(line, f"content note {number}: 'handling' must be one of {', '.join(HANDLINGS)}")
            continue
        notes.append((str(item["topic"]), handling))
    return tuple(notes)


def check_id(value: str | None, what: str, line: int, report: Report) -> TypeGuard[str]:
    """Report a missing or malformed id; True when it is usable."""
    if not value:
        report(line, f"{what} needs an id, written {{#some-id}} after its name")
        return False
    if not ID.match(value):
        report(line, f"{what} id '{value}' must be lower-case letters, digits and hyphens")
        return False
    return True


def check_references(
    references: list[tuple[int, Reference]],
    section_ids: set[str],
    glossary_ids: frozenset[str] | None,
    folder: Path,
    report: Report,
) -> None:
    """Broken section links, unknown glossary terms, missing or oversized assets, alt text."""
    for line, ref in references:
        if ref.kind == "section" and ref.target not in section_ids:
            report(line, f"link to '#{ref.target}' but the module has no section with that id")
        elif ref.kind == "glossary" and glossary_ids is not None and ref.target not in glossary_ids:
            report(line, f"glossary term '{ref.target}' is not in the glossary")
        elif ref.kind in ("asset", "image"):
            if ref.kind == "image" and not (ref.alt or "").strip():
                report(line, f"image '{ref.target}' has no alt text")
            if SCHEME_OR_ABSOLUTE.match(ref.target):
                if ref.kind == "image":
                    report(line, f"image '{ref.target}' must be a file in the module's folder")
                continue
            _check_asset(ref.target, folder, line, report)


SCHEME_OR_ABSOLUTE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|/)")


def _check_asset(target: str, folder: Path, line: int, report: Report) -> None:
    path = (folder / target).resolve()
    if asset_type(target) is None:
        kinds = ", ".join(sorted(ASSET_TYPES))
        report(line, f"'{target}' is not a file type learners can open; use one of {kinds}")
    elif not path.is_relative_to(folder.resolve()):
        report(line, f"'{target}' points outside the module's folder")
    elif not path.is_file():
        report(line, f"'{target}' does not exist in the module's folder")
    elif path.stat().st_size > MAX_ASSET_BYTES:
        report(line, f"'{target}' is larger than {MAX_ASSET_BYTES // 1024 // 1024} MB")


def check_sensitive_words(section: Section, text: str, warn: Report) -> None:
    """Warn when a section without a content note mentions a sensitive topic."""
    if section.note is not None:
        return
    match = SENSITIVE.search(text)
    if match:
        warn(
            section.line,
            f"section '{section.id}' mentions '{match.group(0)}' but has no content note",
        )
