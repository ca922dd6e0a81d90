"""Checks that a module's questions measure learning, not guessing, and the numbers behind them.

Each check is a warning at the line to change, saying what to do: true/false answers all
one way; the right option the longest in most single-choice questions; fewer than two wrong
options; "all/none of the above". Question banks (``draw=N``) are checked here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html.parser import HTMLParser

from tilearn.engine.spec import AssessmentSummary, Module, Question, Section

Report = Callable[[int, str], None]
#: Options that let a learner answer from the shape of the question.
ABOVE = re.compile(r"\b(?:all|none|both|neither)\s+of\s+the\s+above\b", re.IGNORECASE)
#: A choice question needs at least this many wrong options for guessing to be unlikely.
MIN_WRONG_OPTIONS = 2
CHOICE_KINDS = ("single-choice", "multiple-choice")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The words of a piece of HTML, as a learner reads them."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def true_is_right(question: Question) -> bool:
    """For a true/false question: True when the statement is true."""
    return bool(question.options) and question.options[0].correct


def right_is_longest(question: Question) -> bool:
    """True when a single-choice question's right option is longer than every other option."""
    lengths = [(len(plain_text(o.text_html)), o.correct) for o in question.options]
    right = [length for length, correct in lengths if correct]
    wrong = [length for length, correct in lengths if not correct]
    return len(right) == 1 and bool(wrong) and right[0] > max(wrong)


def check_draw(section: Section, draw: str | None, report: Report) -> int | None:
    """The section's ``draw=N`` as a number, or None (with an error when it is not usable)."""
    if draw is None:
        return None
    count = len(section.questions)
    if not count:
        report(
            section.line,
            f"section '{section.id}' has draw={draw} but no questions; remove draw=, or add questions",
        )
        return None
    if not draw.isdigit() or not 1 <= int(draw) <= count:
        report(
            section.line,
            f"draw={draw}: draw must be a whole number from 1 to {count}, the number of questions "
            f"in section '{section.id}' (each attempt shows that many of them)",
        )
        return None
    return int(draw)


def check_assessment(sections: Sequence[Section], warn: Report) -> None:
    """Warnings for questions that can be answered from their shape rather than from learning."""
    questions = [q for s in sections for q in s.questions]
    true_false = [q for q in questions if q.kind == "true-false" and len(q.options) == 2]
    if len(true_false) >= 2 and len({true_is_right(q) for q in true_false}) == 1:
        answer = "True" if true_is_right(true_false[0]) else "False"
        other = "false" if answer == "True" else "true"
        warn(
            true_false[0].line,
            f"all {len(true_false)} true/false questions in this module have the answer {answer} "
            f"({_names(true_false)}); make some of them {other} statements, so always answering "
            f"'{answer}' does not pass",
        )
    singles = [q for q in questions if q.kind == "single-choice"]
    longest = [q for q in singles if right_is_longest(q)]
    if len(singles) >= 2 and len(longest) * 2 > len(singles):
        warn(
            longest[0].line,
            f"the right option is the longest in {len(longest)} of {len(singles)} single-choice "
            f"questions ({_names(longest)}); learners learn to pick the longest: make the other "
            "options as long and specific as the right one, or the right one shorter",
        )
    for question in questions:
        if question.kind not in CHOICE_KINDS:
            continue
        wrong = sum(1 for o in question.options if not o.correct)
        if wrong < MIN_WRONG_OPTIONS:
            what = "no wrong options" if not wrong else "only one wrong option"
            warn(
                question.line,
                f"question '{question.id}' has {what}; add wrong options until it has at least "
                f"{MIN_WRONG_OPTIONS}, each something a reasonable but untrained person might choose",
            )
        for option in question.options:
            found = ABOVE.search(plain_text(option.text_html))
            if found:
                warn(
                    option.line or question.line,
                    f"question '{question.id}': the option '{found.group(0)}' can be answered from "
                    "the shape of the question; write each option as an answer of its own",
                )


def _names(questions: list[Question]) -> str:
    return ", ".join(f"'{q.id}'" for q in questions)


def summarise(module: Module) -> AssessmentSummary:
    """A module's questions in numbers (AssessmentSummary prints them as the checker's summary line)."""
    questions = module.questions
    true_false = [q for q in questions if q.kind == "true-false" and len(q.options) == 2]
    singles = [q for q in questions if q.kind == "single-choice"]
    return AssessmentSummary(
        questions_in_banks=module.questions_in_banks,
        shown_per_attempt=module.shown_per_attempt,
        true_answers=sum(1 for q in true_false if true_is_right(q)),
        false_answers=sum(1 for q in true_false if not true_is_right(q)),
        single_choice=len(singles),
        right_is_longest=sum(1 for q in singles if right_is_longest(q)),
    )
