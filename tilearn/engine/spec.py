"""The shapes the engine produces: frozen dataclasses, safe to cache and share."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a module, reported as ``path:line: message``."""

    path: str
    line: int
    message: str
    severity: str = "error"  #: "error" leaves the module out; "warning" does not

    @property
    def is_error(self) -> bool:
        """True when this problem keeps the module off the site."""
        return self.severity == "error"

    def __str__(self) -> str:
        prefix = "" if self.is_error else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"


@dataclass(frozen=True)
class Outcome:
    """A learning outcome, tagged with the framework theme it serves."""

    theme: str
    text: str


@dataclass(frozen=True)
class Block:
    """Base for every special block in a section; ``kind`` names its block type."""

    kind: str
    line: int


@dataclass(frozen=True)
class ContentNote(Block):
    """A note about difficult content, with how it is handled (a section's first block, or front matter)."""

    topic: str = ""
    handling: str = ""  #: "mentioned", "described" or "case study"
    optional: bool = False  #: the module can be completed without this section
    text_html: str = ""


@dataclass(frozen=True)
class Html(Block):
    """Ordinary markdown, rendered and sanitised."""

    html: str = ""


@dataclass(frozen=True)
class Option:
    """One answer a learner can choose, with the feedback it earns."""

    text_html: str
    correct: bool
    feedback_html: str
    #: the file line the option is written on (0 when not known), for the assessment checks
    line: int = field(default=0, compare=False)


#: Reads a submitted form: the list of values sent under one field name.
FormValues = Callable[[str], list[str]]


@dataclass(frozen=True)
class Question(Block):
    """A scored question. The built-in kinds are single choice, multiple choice and true/false.

    A plug-in question type subclasses this and overrides ``read_answer`` (how an answer
    is read from the submitted form) and ``is_correct`` (how it is marked, on the server).
    An answer is a list of option numbers; what the list means is up to the question.
    """

    id: str = ""
    prompt_html: str = ""
    options: tuple[Option, ...] = ()

    @property
    def field_name(self) -> str:
        """The form field name (or prefix) this question's inputs use."""
        return f"q-{self.id}"

    @property
    def multiple(self) -> bool:
        """True when a learner may pick more than one option."""
        return self.kind == "multiple-choice"

    def correct_choices(self) -> frozenset[int]:
        """Indexes of the right options."""
        return frozenset(i for i, option in enumerate(self.options) if option.correct)

    def read_answer(self, values: FormValues) -> list[int] | None:
        """The learner's answer from the submitted form, or None when nothing usable was sent."""
        chosen = {int(v) for v in values(self.field_name) if v.isdigit() and int(v) < len(self.options)}
        if chosen and not self.multiple:
            chosen = {min(chosen)}
        return sorted(chosen) or None

    def is_correct(self, answer: Iterable[int]) -> bool:
        """True when the answer is right: here, the chosen options are exactly the right ones."""
        return frozenset(answer) == self.correct_choices()

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of what the question asks: its kind, prompt, options and which are right.

        Saved with a learner's answers, so an answer to an earlier wording of a question with
        the same id is never shown again or marked (feedback is left out: rewording it keeps answers).
        """
        content = [self.kind, self.prompt_html, [[o.text_html, o.correct] for o in self.options]]
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Reflection(Block):
    """A private, never-scored prompt for the learner to write about."""

    id: str = ""
    prompt_html: str = ""


@dataclass(frozen=True)
class PausePoint(Block):
    """A gentle suggestion to stop for a moment."""

    text_html: str = ""


@dataclass(frozen=True)
class LookingAfterYou(Block):
    """How the course looks after the learner, drawn from the organisation's settings."""

    intro_html: str = ""


@dataclass(frozen=True)
class Section:
    """One page of a module, started by a ``##`` heading."""

    id: str
    title: str
    line: int
    blocks: tuple[Block, ...] = ()
    note: ContentNote | None = None
    #: how many of the section's questions each attempt shows (``draw=N``); None: all of them
    draw: int | None = None

    @property
    def shown_per_attempt(self) -> int:
        """How many questions one attempt at this section shows."""
        count = len(self.questions)
        return min(self.draw, count) if self.draw else count

    @property
    def required(self) -> bool:
        """True unless the section's content note makes it optional."""
        return not (self.note and self.note.optional)

    @property
    def questions(self) -> tuple[Question, ...]:
        """The quiz questions in this section, in order."""
        return tuple(b for b in self.blocks if isinstance(b, Question))

    @property
    def reflections(self) -> tuple[Reflection, ...]:
        """The reflection prompts in this section, in order."""
        return tuple(b for b in self.blocks if isinstance(b, Reflection))


@dataclass(frozen=True)
class AssessmentSummary:
    """How a module's questions add up, printed by ``flask modules lint`` (engine/assessment.py)."""

    questions_in_banks: int = 0
    shown_per_attempt: int = 0
    true_answers: int = 0  #: true/false questions whose answer is True
    false_answers: int = 0
    single_choice: int = 0
    right_is_longest: int = 0  #: single-choice questions whose right option is the longest

    def __str__(self) -> str:
        if not self.questions_in_banks:
            return "assessment: no questions"
        banks = f"{self.questions_in_banks} question{'s' if self.questions_in_banks != 1 else ''}"
        parts = [f"assessment: {banks} in banks, {self.shown_per_attempt} shown"]
        if self.true_answers or self.false_answers:
            parts.append(f"true/false {self.true_answers} true and {self.false_answers} false")
        if self.single_choice:
            parts.append(
                f"the right option is the longest in {self.right_is_longest} of "
                f"{self.single_choice} single-choice questions"
            )
        return "; ".join(parts)


@dataclass(frozen=True)
class Module:
    """A checked, rendered learning module."""

    id: str
    title: str
    level: str
    version: str
    summary: str
    minutes: int  #: as the trainer wrote it
    framework: str
    path: str
    content_hash: str
    outcomes: tuple[Outcome, ...] = ()
    content_notes: tuple[ContentNote, ...] = ()
    pass_mark: int = 80
    refresher_months: int | None = None
    prerequisites: tuple[str, ...] = ()
    #: where ``prerequisites:`` is written, for the library-wide check
    prerequisites_line: int = field(default=1, compare=False)
    material_change: bool = False
    intro_html: str = ""
    sections: tuple[Section, ...] = ()
    problems: tuple[Problem, ...] = field(default=(), compare=False)
    #: worked out from its words, questions and reflections (minutes.computed_minutes); 0 when unparsed
    computed_minutes: int = 0

    @property
    def about_minutes(self) -> int:
        """The time shown to learners: the computed one, or the stated one if there is none."""
        return self.computed_minutes or self.minutes

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every quiz question in the module, in order."""
        return tuple(q for s in self.sections for q in s.questions)

    @property
    def questions_in_banks(self) -> int:
        """Every question written in the module (a section with ``draw=N`` shows only N per attempt)."""
        return len(self.questions)

    @property
    def shown_per_attempt(self) -> int:
        """How many questions a learner answers in one pass: each section's draw, or all of its questions."""
        return sum(s.shown_per_attempt for s in self.sections)

    @property
    def assessment(self) -> AssessmentSummary:
        """The module's questions in numbers, for the checker's summary and the trainer's workspace."""
        from tilearn.engine.assessment import summarise

        return summarise(self)

    def section(self, section_id: str) -> Section | None:
        """The section with this id, or None."""
        for section in self.sections:
            if section.id == section_id:
                return section
        return None

    def section_index(self, section_id: str) -> int:
        """Position of a section (0-based); -1 when unknown."""
        for index, section in enumerate(self.sections):
            if section.id == section_id:
                return index
        return -1

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        for question in self.questions:
            if question.id == question_id:
                return question
        return None


@dataclass(frozen=True)
class GlossaryTerm:
    """One glossary entry."""

    id: str
    term: str
    definition_html: str


@dataclass(frozen=True)
class Glossary:
    """The shared glossary of terms that modules link to."""

    title: str = "Glossary"
    terms: tuple[GlossaryTerm, ...] = ()

    def ids(self) -> frozenset[str]:
        """Every term id."""
        return frozenset(t.id for t in self.terms)
