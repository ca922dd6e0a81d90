"""Level names that follow the organisation's scheme: ``[[level:KEY]]`` tokens, filled when a page is drawn.

A module is written once for every scheme, so it never names a level itself. The parser
leaves each token in the rendered HTML as written; ``fill_level_names`` replaces it with the
name in the scheme the organisation has chosen (the web layer does this per request).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from html import escape

from tilearn.engine.levels import SHIPPED_SCHEMES, LevelScheme, load_scheme
from tilearn.engine.lint import learner_text

#: ``[[level:KEY]]`` → "Level 2: Trauma Informed"; ``[[level-name:KEY]]`` → "Trauma Informed".
TOKEN = re.compile(r"\[\[(level|level-name):([^\]\s]*)\]\]")
#: Keys relative to the module's own level.
RELATIVE = ("this", "next")
#: What ``[[level:next]]`` says at the top level, where there is no next one.
NO_NEXT_LEVEL = "the next level"
#: What a token says when its level cannot be found (a module level the scheme does not use).
UNKNOWN_LEVEL = "this level"
#: "Level 2", "level 3": a scheme's numbering written into the text. (Safeguarding training
#: has levels of its own, "Level 3 safeguarding", which are not ours.)
LEVEL_NUMBER = re.compile(r"\b[Ll]evel\s+[1-9]\b(?!\s+(?:safeguarding|adult|child))")


def token_keys(text: str) -> list[tuple[str, str]]:
    """Every (token as written, key) in a piece of text."""
    return [(match.group(0), match.group(2)) for match in TOKEN.finditer(text)]


def fill_level_names(html: str, scheme: LevelScheme, module_level: str | None = None) -> str:
    """Replace every level token in a module's HTML with the scheme's name for it (escaped)."""
    if "[[level" not in html:
        return html

    def name(match: re.Match[str]) -> str:
        form, key = match.group(1), match.group(2)
        level = scheme.level_for_module(module_level) if key in RELATIVE and module_level else None
        if key == "next":
            if level is None:
                return escape(UNKNOWN_LEVEL)
            following = [lvl for lvl in scheme.levels if lvl.number == level.number + 1]
            if not following:
                return escape(NO_NEXT_LEVEL)
            level = following[0]
        elif key != "this":
            level = scheme.level_for_module(key) or scheme.level(key)
        if level is None:
            return escape(UNKNOWN_LEVEL)
        return escape(level.name if form == "level-name" else f"Level {level.number}: {level.name}")

    return TOKEN.sub(name, html)


@cache
def shipped_level_names() -> dict[str, str]:
    """Every level name of the shipped schemes ("Trauma Aware" …) and the module level to suggest for it."""
    names: dict[str, str] = {}
    for path in sorted(SHIPPED_SCHEMES.glob("*.yaml"), key=lambda p: p.name != "west-midlands.yaml"):
        scheme = load_scheme(str(path))
        for level in scheme.levels:
            names.setdefault(level.name, level.module_levels[0])
    return names


@cache
def _hard_coded() -> re.Pattern[str]:
    # A name followed by another capitalised word is part of a proper name ("Trauma Informed
    # Workforce Framework", "Trauma Informed Derbyshire"), not the name of a level.
    names = "|".join(re.escape(name) for name in sorted(shipped_level_names(), key=len, reverse=True))
    return re.compile(rf"\b(?:{names})\b(?!\s+[A-Z])")


def hard_coded_level_names(text: str) -> list[tuple[str, str | None]]:
    """Level names of a shipped scheme written into learner-visible text: (what was written, key to use)."""
    found: list[tuple[str, str | None]] = []
    names = shipped_level_names()
    for match in _hard_coded().finditer(text):
        found.append((match.group(0), names.get(match.group(0))))
    for match in LEVEL_NUMBER.finditer(text):
        found.append((match.group(0), None))
    return found


def check_tokens(
    lines: list[tuple[int, str]],
    scheme: LevelScheme,
    report: Callable[[int, str], None],
    relative: bool = True,
    module_level: str | None = None,
    warn: Callable[[int, str], None] | None = None,
) -> None:
    """An error for each token whose key is not a module level (or, in a module, this/next).

    With ``warn``, ``next`` in a module at the scheme's top level is a warning: it reads "the next level".
    """
    known = sorted(scheme.module_level_keys())
    allowed = (
        ", this (the module's own level) or next" if relative else " (the glossary has no level of its own)"
    )
    level = scheme.level_for_module(module_level) if module_level else None
    top = level is not None and level.number == len(scheme.levels)
    for number, text in lines:
        for written, key in token_keys(text):
            if key not in known and not (relative and key in RELATIVE):
                report(
                    number,
                    f"'{written}' names no level; after 'level:' write one of {', '.join(known)}{allowed}",
                )
            elif key == "next" and top and warn is not None:
                warn(
                    number,
                    f"'{written}' is in a module at the top level, so learners read '{NO_NEXT_LEVEL}' "
                    "although there is none; reword the sentence",
                )


def check_hard_coded(lines: list[tuple[int, str]], warn: Callable[[int, str], None]) -> None:
    """A warning for each line that writes a scheme's level name, saying which token to use."""
    for number, text in lines:
        if text.startswith(":::"):
            continue
        found = dict.fromkeys(hard_coded_level_names(TOKEN.sub(" ", learner_text(text))))
        for written, key in found:
            if key:
                use = f"[[level:{key}]], or [[level-name:{key}]] for the name alone"
            else:
                use = "[[level:this]], [[level:next]] or [[level:KEY]] (KEY: a module level such as aware)"
            warn(
                number,
                f"'{written}' is one level scheme's name for a level, and organisations on another "
                f"scheme call it something else; write {use}, or reword",
            )


def check_no_tokens(fields: list[tuple[int, str]], report: Callable[[int, str], None]) -> None:
    """An error for a token in the title or summary: those go into records and reports as written."""
    for number, text in fields:
        for written, _key in token_keys(text):
            report(
                number,
                f"'{written}' cannot be filled in here: the title and summary go into completion "
                "records and reports as written; reword without the level's name",
            )
