"""Two block types: ``::: order {#id}`` (a question) and ``::: key-point`` (content)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tilearn.engine.blocks import BlockSource, BlockType, ParseContext
from tilearn.engine.spec import Block, FormValues, Option, Question

TEMPLATES = str(Path(__file__).resolve().parent / "templates")
ITEM = re.compile(r"^\s*\d+[.)]\s+(.*)$")


@dataclass(frozen=True)
class OrderQuestion(Question):
    """Steps to put in order. ``options`` holds the steps in the right order.

    ``display_order`` is the order the steps are shown in: never the right order, so the
    page does not give the answer away. An answer is the step numbers in the learner's order.
    """

    display_order: tuple[int, ...] = ()

    def read_answer(self, values: FormValues) -> list[int] | None:
        """The learner's order from one position field per step shown; None until each has its own."""
        count = len(self.options)
        placed: dict[int, int] = {}
        for shown, step in enumerate(self.display_order):
            raw = (values(f"{self.field_name}-{shown}") or [""])[0]
            if not raw.isdigit() or not 1 <= int(raw) <= count:
                return None
            placed[int(raw)] = step
        if len(placed) != count:
            return None
        return [placed[position] for position in sorted(placed)]

    def is_correct(self, answer: Iterable[int]) -> bool:
        """True when the steps are in the right order."""
        return list(answer) == list(range(len(self.options)))

    def position_of(self, answer: list[int], step: int) -> int | None:
        """Where the learner put a step (1-based), or None."""
        return answer.index(step) + 1 if step in answer else None


@dataclass(frozen=True)
class KeyPoint(Block):
    """A key point, drawn so it stands out."""

    text_html: str = ""


def shown_order(question_id: str, count: int) -> tuple[int, ...]:
    """A fixed shuffle of the steps, never the right order (the same on every page load)."""
    order = list(range(count))
    random.Random(question_id).shuffle(order)
    if order == sorted(order):
        order = order[1:] + order[:1]
    return tuple(order)


class OrderBlock(BlockType):
    """``::: order {#id}``: a prompt, then the steps as a numbered list in the right order.

    Each step can have feedback on the indented lines below it, shown after checking.
    """

    name = "order"
    needs_id = True
    template = "tilearn_order_question/order.html"
    template_folder = TEMPLATES

    def parse(self, source: BlockSource, context: ParseContext) -> OrderQuestion | None:
        """Read the prompt and the steps; report a missing prompt, too few steps or steps without feedback."""
        prompt: list[str] = []
        steps: list[tuple[str, list[str], int]] = []
        label = f"order question '{source.block_id}'"
        for index, raw in enumerate(source.lines):
            match = ITEM.match(raw)
            if match:
                steps.append((match.group(1).strip(), [], index))
            elif steps and raw.startswith((" ", "\t")) and raw.strip():
                steps[-1][1].append(raw.strip())
            elif steps and raw.strip():
                context.report(source.body_line(index), f"{label}: feedback must be indented under its step")
            elif not steps:
                prompt.append(raw)
        if not "".join(prompt).strip():
            context.report(source.line, f"{label} has no question text")
        if len(steps) < 2:
            context.report(source.line, f"{label} needs at least two numbered steps (1. … 2. …)")
            return None
        for text, feedback, index in steps:
            if not feedback:
                context.report(source.body_line(index), f"{label}: step '{text}' has no feedback")
        return OrderQuestion(
            kind=self.name,
            line=source.line,
            id=source.block_id or "",
            prompt_html=context.render("\n".join(prompt).strip()),
            options=tuple(
                Option(context.render_inline(text), True, context.render_inline(" ".join(feedback)))
                for text, feedback, _index in steps
            ),
            display_order=shown_order(source.block_id or "", len(steps)),
        )


class KeyPointBlock(BlockType):
    """``::: key-point``: a short point worth remembering."""

    name = "key-point"
    template = "tilearn_order_question/key-point.html"
    template_folder = TEMPLATES

    def parse(self, source: BlockSource, context: ParseContext) -> KeyPoint | None:
        """The text, rendered; an empty key point is reported."""
        text = "\n".join(source.lines).strip()
        if not text:
            context.report(source.line, "key point has no text")
            return None
        return KeyPoint(kind=self.name, line=source.line, text_html=context.render(text))
