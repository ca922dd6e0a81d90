"""The choosing-quality-training checklist: questions from data, answers checked. Pure Python.

A checklist file (``tilearn/levels/checklists/*.yaml``, named by a level scheme's
``training_checklist:``) lists questions; each is answered yes, partly, no or not sure, with notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tilearn.engine.data_files import data_path, listed, load_data_file, repeated

CHECKLISTS = Path(__file__).resolve().parent.parent / "levels" / "checklists"
ANSWERS = {"yes": "Yes", "partly": "Partly", "no": "No", "not-sure": "Not sure"}
MAX_NOTES = 2000


@dataclass(frozen=True)
class ChecklistQuestion:
    """One question asked of a training offer or a module."""

    key: str
    text: str


@dataclass(frozen=True)
class Checklist:
    """A named list of questions, with a short introduction."""

    name: str
    intro: str
    questions: tuple[ChecklistQuestion, ...]

    def as_data(self) -> dict[str, Any]:
        """The checklist as plain data, kept with each answered one."""
        return {
            "name": self.name,
            "intro": self.intro,
            "questions": [{"key": q.key, "text": q.text} for q in self.questions],
        }


def parse_checklist(data: Any) -> Checklist:
    """A checklist from its data; raises ValueError with a plain message when it is unusable."""
    items = listed(data, "questions", "a training checklist needs a list of questions")
    questions = tuple(ChecklistQuestion(str(q["key"]), str(q["text"]).strip()) for q in items)
    if repeated(questions):
        raise ValueError("a training checklist has two questions with the same key")
    return Checklist(
        str(data.get("name", "Training checklist")), str(data.get("intro", "")).strip(), questions
    )


def load_checklist(name_or_path: str, beside: Path | None = None) -> Checklist:
    """A shipped checklist by name, or a YAML file (relative to ``beside``, the scheme's folder)."""
    path = data_path(CHECKLISTS, name_or_path, beside)
    return load_data_file(path, "training checklist", name_or_path, parse_checklist)


def check_answers(
    checklist: Checklist, form: Mapping[str, str]
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """The answers in a form (``answer-<key>``, ``notes-<key>``), and plain-language problems by field."""
    answers, problems = {}, {}
    for question in checklist.questions:
        answer = (form.get(f"answer-{question.key}") or "").strip()
        notes = (form.get(f"notes-{question.key}") or "").strip()
        if answer not in ANSWERS:
            problems[f"answer-{question.key}"] = f"Answer: {question.text}"
        if len(notes) > MAX_NOTES:
            problems[f"notes-{question.key}"] = (
                f"Notes can be {MAX_NOTES:,} characters or fewer, for: {question.text}"
            )
        answers[question.key] = {"answer": answer, "notes": notes}
    return answers, problems
