"""The checks a module must pass, each reported as Problem(path, line, message)."""

from __future__ import annotations

import difflib
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
#: Topics that need a content note, as words (whole, case-insensitive); a trailing ``*`` means
#: "and any ending" (``violen*`` is violence, violent). An organisation adds its own with the
#: SENSITIVE_WORDS_EXTRA setting. docs/authoring.md lists them for trainers.
SENSITIVE_WORDS: tuple[str, ...] = (
    "violen*", "assault*", "abus*", "death*", "dead", "die", "died", "dying", "kill*", "murder*",
    "injur*", "neglect*", "overdos*", "groom*", "exploit*", "self-harm*", "suicid*",
    "sexual violence", "sexual abuse", "rape", "raped", "domestic abuse", "domestic violence", "bereave*",
    "loss", "losses", "grief", "grieving", "trafficking", "torture*", "stabbing*", "shooting*",
)  # fmt: skip
#: Names and phrases that contain a sensitive word but are not distressing material themselves.
SENSITIVE_EXCEPTIONS: tuple[str, ...] = ("violence reduction unit*", "hearing loss", "weight loss")
#: Verdicts learners must never see (docs/authoring.md, "What the checker reports").
VERDICT = re.compile(
    r"\b(?:you\s+(?:have\s+)?failed|fail|fails|failed|failing)\b"
    r"|\b(?:wrong|incorrect)\s*!"
    r"|(?<!\bno\s)(?<!\bright\sor\s)\bwrong\s+answers?\b"
    r"|\b(?:that(?:'s|\s+is|\s+was)|you(?:'re|\s+are|\s+were))\s+(?:wrong|incorrect)\b"
    r"|(?:^|[.!?]\s+)(?:wrong|incorrect)\s*[.!]",
    re.IGNORECASE,
)
#: Time pressure learners must never see.
TIME_PRESSURE = re.compile(
    r"\b(?:hurry\w*|quick(?:ly)?\s*!|(?:seconds?|minutes?)\s+(?:left|remaining)|the\s+clock"
    r"|time\s+is\s+running\s+out|before\s+time\s+runs\s+out|running\s+out\s+of\s+time"
    r"|countdown|deadlines?|time\s+limits?|as\s+fast\s+as\s+you\s+can)\b",
    re.IGNORECASE,
)
#: Front-matter fields learners see, checked for verdicts and time pressure like the body.
VISIBLE_FIELDS = ("title", "summary")
LINK_SCHEMES = ("http", "https", "mailto", "glossary")


def sensitive_pattern(extra: tuple[str, ...] | list[str] = ()) -> re.Pattern[str]:
    """One pattern for the default sensitive words plus an organisation's own."""
    return words_pattern((*SENSITIVE_WORDS, *extra))


def words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Whole words or phrases, case-insensitive; a trailing ``*`` allows any ending."""
    parts = []
    for word in words:
        word = word.strip().lower()
        if not word:
            continue
        stem = word.endswith("*")
        body = r"[\s-]+".join(re.escape(w) for w in word.rstrip("*").split())
        parts.append(body + (r"\w*" if stem else ""))
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE)


SENSITIVE = sensitive_pattern()
NOT_SENSITIVE = words_pattern(SENSITIVE_EXCEPTIONS)

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
    warn: Report | None = None,
) -> None:
    """Broken section links, unknown glossary terms, bad links, missing assets, alt text, raw HTML."""
    for line, ref in references:
        if ref.kind == "section" and ref.target not in section_ids:
            report(line, f"link to '#{ref.target}' but the module has no section with that id")
        elif ref.kind == "glossary" and glossary_ids is not None and ref.target not in glossary_ids:
            report(line, f"glossary term '{ref.target}' is not in the glossary")
        elif ref.kind == "external":
            check_link(ref.target, line, report)
        elif ref.kind == "html" and warn is not None:
            warn(
                line,
                f"raw HTML is removed before learners see it: {ref.alt}; write it in markdown instead",
            )
        elif ref.kind in ("asset", "image"):
            if ref.kind == "image" and not (ref.alt or "").strip():
                report(line, f"image '{ref.target}' has no alt text")
            if ref.kind == "asset" and check_link(ref.target, line, report):
                continue
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


def check_sensitive_words(
    section: Section, lines: list[tuple[int, str]], pattern: re.Pattern[str], warn: Report
) -> None:
    """Warn, naming the words and the line of the first, when a section without a content note has them."""
    if section.note is not None:
        return
    found: dict[str, int] = {}
    for number, text in lines:
        for match in pattern.finditer(NOT_SENSITIVE.sub(" ", learner_text(text))):
            found.setdefault(match.group(0).lower(), number)
    if found:
        words = ", ".join(f"'{word}'" for word in found)
        warn(
            min(found.values()),
            f"section '{section.id}' mentions {words} but has no content note; put a '::: content-note' "
            "first in the section (topic and handling), or reword",
        )


#: Markup a learner never sees as words: block ids, link targets, HTML comments.
_HIDDEN = re.compile(r"\{#[^}]*\}|\]\([^)]*\)|<!--.*?-->")
_BLOCK_FIELD = re.compile(r"^\s*(topic|handling|optional)\s*:", re.IGNORECASE)


def learner_text(line: str) -> str:
    """A line as learners read it: block ids, link targets and comments left out."""
    return _HIDDEN.sub(lambda m: "]" if m.group(0).startswith("]") else " ", line)


def check_wording(lines: list[tuple[int, str]], report: Report) -> None:
    """Errors for verdicts ('you failed', 'Wrong!') and time pressure ('hurry', 'the clock')."""
    for number, raw in lines:
        if raw.startswith(":::"):
            continue
        text = learner_text(raw).strip()
        for pattern, what, instead in (
            (VERDICT, "a pass/fail verdict", "say kindly what the answer misses and why"),
            (TIME_PRESSURE, "time pressure", "learners go at their own pace; leave timing out"),
        ):
            found = dict.fromkeys(m.group(0).strip(" .!?") for m in pattern.finditer(text))
            if found:
                words = ", ".join(f"'{w}'" for w in found)
                report(number, f"{words}: {what} learners would see; {instead}")


def learner_lines(body: list[str], first: int) -> list[tuple[int, str]]:
    """The body lines learners read, with their file line numbers (block fields and comments left out)."""
    lines, in_comment = [], False
    for offset, raw in enumerate(body):
        if in_comment or raw.lstrip().startswith("<!--"):
            in_comment = "-->" not in raw
            continue
        if _BLOCK_FIELD.match(raw):
            continue
        lines.append((first + offset, raw))
    return lines


_STOP_WORDS = frozenset(("and", "with", "about", "such", "from", "that", "this", "ways", "other", "their"))


def _topic_words(topic: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z-]+", topic.lower()) if len(w) >= 4 and w not in _STOP_WORDS}


def check_note_topics(
    module_notes: tuple[tuple[str, int], ...], sections: list[Section], warn: Report
) -> None:
    """Front-matter notes with no section note on the topic, and section notes not in front matter."""
    section_notes = [(s.note.topic, s.note.line) for s in sections if s.note is not None and s.note.topic]
    for topic, line in module_notes:
        if not any(_topic_words(topic) & _topic_words(other) for other, _l in section_notes):
            warn(
                line,
                f"content note '{topic}' is in front matter but no section has a content note about it; "
                "add one to the section that covers it, or remove it from front matter",
            )
    for topic, line in section_notes:
        if not any(_topic_words(topic) & _topic_words(other) for other, _l in module_notes):
            warn(
                line,
                f"section content note '{topic}' is not in the front matter 'content_notes'; add it there "
                "so learners see it before they start",
            )


def check_titles(sections: list[Section], report: Report) -> None:
    """Two sections with the same visible title."""
    seen: dict[str, int] = {}
    for section in sections:
        key = " ".join(section.title.lower().split())
        if key and key in seen:
            report(
                section.line,
                f"section title '{section.title}' is also used at line {seen[key]}; "
                "learners could not tell them apart, so give each its own title",
            )
        seen.setdefault(key, section.line)


def check_link(target: str, line: int, report: Report) -> bool:
    """Report a misspelt prefix ('glosary:') or a malformed web address; True when one was reported."""
    scheme, sep, rest = target.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        if re.match(r"^(https?|www)[/.:]?/", target, re.IGNORECASE) or target.lower().startswith("www."):
            report(line, f"link '{target}' is not a full web address; write it as https://…")
            return True
        return False
    lower = scheme.lower()
    if lower not in LINK_SCHEMES:
        close = [s for s in LINK_SCHEMES if _near(lower, s)]
        hint = f"did you mean '{close[0]}:'?" if close else "use http:, https:, mailto: or glossary:"
        report(line, f"link '{target}' starts with '{scheme}:', which learners' browsers cannot open; {hint}")
        return True
    elif lower in ("http", "https"):
        host = rest[2:].split("/")[0].split("?")[0].split("#")[0] if rest.startswith("//") else ""
        if not rest.startswith("//") or not re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?", host):
            report(
                line, f"link '{target}' is not a valid web address; write it like https://example.org/page"
            )
            return True
    elif lower == "mailto" and "@" not in rest:
        report(line, f"link '{target}' has no e-mail address after 'mailto:'")
        return True
    return False


def _near(word: str, other: str) -> bool:
    """True when ``word`` is one edit (or a swap) from ``other``."""
    if word == other or abs(len(word) - len(other)) > 1:
        return False
    return difflib.SequenceMatcher(None, word, other).ratio() >= 0.8
