"""Choosing quality training: checklists for a module version or a training offer; recording is audited."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from tilearn.database import writes
from tilearn.engine.checklist import MAX_NOTES, Checklist, check_answers
from tilearn.extensions import db
from tilearn.models import TrainingChecklist
from tilearn.models.types import utcnow
from tilearn.services import people
from tilearn.services.audit import record_event
from tilearn.services.service_audits import FormProblems

MAX_OFFER = 200

__all__ = ["FormProblems"]


def clean_offer(name: str) -> str:
    """A training offer's name, trimmed; raises FormProblems when it is empty or too long."""
    name = " ".join((name or "").split())
    if not name:
        raise FormProblems({"offer": "Enter the name of the training offer"})
    if len(name) > MAX_OFFER:
        raise FormProblems({"offer": f"The name can be {MAX_OFFER} characters or fewer"})
    return name


@writes
def record_checklist(
    actor_id: int,
    checklist: Checklist,
    form: Mapping[str, str],
    module: tuple[str, str] | None = None,
    offer: str | None = None,
) -> TrainingChecklist:
    """Keep a checklist for a module (its id and version label) or a training offer; audited."""
    if (module is None) == (offer is None):
        raise ValueError("a checklist is about one module version or one training offer")
    answers, problems = check_answers(checklist, form)
    notes = (form.get("notes") or "").strip()
    if len(notes) > MAX_NOTES:
        problems["notes"] = f"Notes can be {MAX_NOTES:,} characters or fewer"
    if problems:
        raise FormProblems(problems)
    kept = TrainingChecklist(
        module_id=module[0] if module else None,
        module_version=module[1] if module else None,
        offer=offer,
        questions=json.dumps(checklist.as_data()),
        answers=json.dumps(answers),
        notes=notes or None,
        completed_by=actor_id,
        created_at=utcnow(),
    )
    db.session.add(kept)
    db.session.flush()
    yes = sum(1 for a in answers.values() if a["answer"] == "yes")
    detail = (
        f"checklist:{kept.id}; "
        + (f"version {kept.module_version}; " if module else "")
        + f"yes {yes} of {len(answers)}"
    )
    record_event(actor_id, "training_checklist.recorded", subject(kept), detail)
    return kept


def subject(checklist: TrainingChecklist) -> str:
    """What a checklist was about, as the audit log names it: ``module:<id>`` or ``offer:<name>``."""
    return f"module:{checklist.module_id}" if checklist.module_id else f"offer:{checklist.offer}"


def get(checklist_id: int) -> TrainingChecklist | None:
    """The checklist with this id, or None."""
    return db.session.get(TrainingChecklist, checklist_id)


def for_module(module_id: str) -> list[TrainingChecklist]:
    """A module's checklists, newest first."""
    query = select(TrainingChecklist).where(TrainingChecklist.module_id == module_id)
    return list(db.session.scalars(query.order_by(TrainingChecklist.id.desc())))


def counts_by_module() -> dict[str, int]:
    """How many checklists each module has."""
    query = select(TrainingChecklist.module_id, func.count()).where(TrainingChecklist.module_id.is_not(None))
    rows = db.session.execute(query.group_by(TrainingChecklist.module_id))
    return {str(module_id): count for module_id, count in rows}


def offers() -> list[TrainingChecklist]:
    """Every training offer's checklists, newest first."""
    query = select(TrainingChecklist).where(TrainingChecklist.offer.is_not(None))
    return list(db.session.scalars(query.order_by(TrainingChecklist.id.desc())))


@dataclass(frozen=True)
class ChecklistPage:
    """One checklist ready to show: its questions with the answers as kept."""

    checklist: TrainingChecklist
    name: str
    rows: list[dict[str, Any]]
    completed_by: str


def _page(checklist: TrainingChecklist, names: dict[int, str]) -> ChecklistPage:
    asked = json.loads(checklist.questions)
    answers = json.loads(checklist.answers)
    rows = [
        {"question": q["text"], **answers.get(q["key"], {"answer": "", "notes": ""})}
        for q in asked["questions"]
    ]
    return ChecklistPage(checklist, asked["name"], rows, names.get(checklist.completed_by or 0, ""))


def page(checklist: TrainingChecklist) -> ChecklistPage:
    """A checklist's questions and answers, and who completed it."""
    return _page(checklist, people.names_of([checklist.completed_by] if checklist.completed_by else []))


def all_pages() -> list[ChecklistPage]:
    """Every checklist, modules' and offers', oldest first, with who completed each (one query for names)."""
    kept = list(db.session.scalars(select(TrainingChecklist).order_by(TrainingChecklist.id)))
    names = people.names_of(c.completed_by for c in kept if c.completed_by)
    return [_page(checklist, names) for checklist in kept]
