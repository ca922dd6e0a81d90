"""Quiz questions: single choice, multiple choice and true/false, with feedback per option."""

from __future__ import annotations

import re

from tilearn.engine.blocks.base import BlockSource, BlockType, ParseContext
from tilearn.engine.spec import Option, Question

OPTION = re.compile(r"^\s*[-*]\s+\[( |x|X)\]\s+(.*)$")
#: the hint the site shows under every multiple-choice question; a prompt that says it too repeats it
CHOOSE_ALL = re.compile(r"\b(?:choose|select|tick)\s+(?:all|every\w*)\s+that\s+appl(?:y|ies)\b", re.I)


class _QuestionBlock(BlockType):
    """Shared parsing: a prompt paragraph, then ``- [x]``/``- [ ]`` options with feedback."""

    needs_id = True
    template = "blocks/choice.html"

    def parse(self, source: BlockSource, context: ParseContext) -> Question | None:
        prompt: list[str] = []
        options: list[tuple[str, bool, list[str], int]] = []
        for index, raw in enumerate(source.lines):
            match = OPTION.match(raw)
            if match:
                options.append((match.group(2).strip(), match.group(1) != " ", [], index))
            elif options and (raw.startswith("  ") or raw.startswith("\t")) and raw.strip():
                options[-1][2].append(raw.strip())
            elif options and raw.strip():
                context.report(
                    source.body_line(index),
                    f"question '{source.block_id}': feedback must be indented under its option",
                )
            elif not options:
                prompt.append(raw)
        label = f"question '{source.block_id}'"
        if not "".join(prompt).strip():
            context.report(source.line, f"{label} has no question text")
        if len(options) < 2:
            context.report(source.line, f"{label} needs at least two options (- [x] / - [ ])")
            return None
        for text, _correct, feedback, index in options:
            if not feedback:
                context.report(source.body_line(index), f"{label}: option '{text}' has no feedback")
        if self.name == "multiple-choice" and CHOOSE_ALL.search(" ".join(prompt)):
            context.warn(
                source.line,
                f"{label}: the site already shows 'Choose all that apply.' under every "
                "multiple-choice question; remove it from the question text",
            )
        correct = sum(1 for _t, is_correct, _f, _i in options if is_correct)
        if correct == 0:
            context.report(source.line, f"{label} has no right answer (mark one with - [x])")
        self.check(source, context, options, correct)
        return Question(
            kind=self.name,
            line=source.line,
            id=source.block_id or "",
            prompt_html=context.render("\n".join(prompt).strip()),
            options=tuple(
                Option(
                    context.render_inline(text),
                    is_correct,
                    context.render_inline(" ".join(feedback)),
                    source.body_line(index),
                )
                for text, is_correct, feedback, index in options
            ),
        )

    def check(
        self,
        source: BlockSource,
        context: ParseContext,
        options: list[tuple[str, bool, list[str], int]],
        correct: int,
    ) -> None:
        """Rules particular to one kind of question."""


class SingleChoiceBlock(_QuestionBlock):
    """One right answer among several options."""

    name = "single-choice"

    def check(  # noqa: D102
        self,
        source: BlockSource,
        context: ParseContext,
        options: list[tuple[str, bool, list[str], int]],
        correct: int,
    ) -> None:
        if correct > 1:
            context.report(
                source.line,
                f"question '{source.block_id}' is single-choice but has {correct} right "
                "answers; use multiple-choice",
            )


class MultipleChoiceBlock(_QuestionBlock):
    """One or more right answers; the learner picks all of them and nothing else."""

    name = "multiple-choice"


class TrueFalseBlock(_QuestionBlock):
    """A statement that is true or false."""

    name = "true-false"

    def check(  # noqa: D102
        self,
        source: BlockSource,
        context: ParseContext,
        options: list[tuple[str, bool, list[str], int]],
        correct: int,
    ) -> None:
        texts = [text.lower() for text, _c, _f, _i in options]
        if texts != ["true", "false"]:
            context.report(
                source.line,
                f"question '{source.block_id}' is true-false: its options must be 'True' then 'False'",
            )
        elif correct > 1:
            context.report(source.line, f"question '{source.block_id}' marks both True and False as right")
