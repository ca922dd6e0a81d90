"""How long a module takes, worked out from its words, questions and reflections; ``minutes`` checked."""

from __future__ import annotations

from collections.abc import Callable

from tilearn.engine.lint import learner_text

Report = Callable[[int, str], None]
#: Reading speed and time per activity for Module.computed_minutes (docs/authoring.md).
WORDS_PER_MINUTE = 200
MINUTES_PER_QUESTION = 1
MINUTES_PER_REFLECTION = 2
#: A stated ``minutes`` further than this from the computed time is a warning.
MINUTES_TOLERANCE = 0.3
#: …and at least this many minutes away (rounding makes short modules jumpy).
MINUTES_SLACK = 2


def computed_minutes(
    lines: list[tuple[int, str]], questions: int, reflections: int, share: dict[int, float] | None = None
) -> int:
    """Reading time at WORDS_PER_MINUTE, plus time per question and reflection, rounded (at least 1).

    ``questions`` counts those one attempt shows; ``share`` gives the lines of a question bank
    the part a learner reads (a bank of 6 that shows 3: half of each question's words).
    """
    share = share or {}
    words = sum(
        len(learner_text(text).split()) * share.get(number, 1.0)
        for number, text in lines
        if not text.startswith(":::")
    )
    total = words / WORDS_PER_MINUTE + questions * MINUTES_PER_QUESTION + reflections * MINUTES_PER_REFLECTION
    return max(1, round(total))


def check_minutes(stated: int | None, computed: int, line: int, warn: Report) -> None:
    """Warn when the stated ``minutes`` is more than MINUTES_TOLERANCE away from the computed time."""
    off = abs(stated - computed) if stated is not None else 0
    if off > MINUTES_TOLERANCE * computed and off >= MINUTES_SLACK:
        warn(
            line,
            f"'minutes: {stated}' is more than {MINUTES_TOLERANCE:.0%} away from the {computed} "
            f"minute{'s' if computed != 1 else ''} worked out from the module's words, questions and "
            f"reflections; write 'minutes: {computed}'",
        )
