"""Moving through a module: sections seen or skipped for now, pauses, and what the learner sees."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import String, bindparam, case, delete, func, literal, select, union_all, update
from sqlalchemy import cast as sql_cast

from tilearn import signals
from tilearn.database import writes
from tilearn.engine import Library, Module
from tilearn.engine.levels import Level, LevelScheme
from tilearn.extensions import db
from tilearn.models import (
    CompletionRecord,
    DraftAnswers,
    ModuleProgress,
    Pause,
    QuizAttempt,
    ReflectionEntry,
    SectionDeferral,
    SectionView,
)
from tilearn.models.types import utcnow
from tilearn.services import insight_totals
from tilearn.services.sql import built_once, insert_for, insert_ignore, upsert
from tilearn.services.statuses import COMPLETED, IN_PROGRESS, MODULE_STATUS_OF, NOT_STARTED

log = logging.getLogger("tilearn.progress")


@dataclass
class ModuleState:
    """Everything about one learner and one module that the learning pages need."""

    started: bool = False
    seen: set[str] = field(default_factory=set)
    deferred: set[str] = field(default_factory=set)
    last_section_id: str | None = None
    cycle: int = 1
    #: the record for the current cycle, if this pass through the module is complete
    completion: CompletionRecord | None = None
    #: the newest record of any cycle that has not been revoked (for refresher status)
    last_record: CompletionRecord | None = None

    @property
    def status(self) -> str:
        """Completed, in progress or not started (statuses.MODULE_STATUSES)."""
        if self.completion is not None:
            return COMPLETED
        return IN_PROGRESS if self.started else NOT_STARTED


def next_section_id(module: Module, section_id: str) -> str | None:
    """The id of the section after this one, or None at the end."""
    index = module.section_index(section_id)
    return module.sections[index + 1].id if 0 <= index < len(module.sections) - 1 else None


def _typed(column: Any) -> Any:
    """A named parameter with the column's type (so dates go through UTCDateTime)."""
    return bindparam(column.key, type_=column.type)


def _build_writes() -> dict[str, Any]:
    """The statements of recording progress, for the session's database; built once per dialect."""
    progress, view, deferral = (
        ModuleProgress.__table__.c,
        SectionView.__table__.c,
        SectionDeferral.__table__.c,
    )
    touch = insert_for(ModuleProgress).values(
        user_id=_typed(progress.user_id),
        module_id=_typed(progress.module_id),
        started_at=_typed(progress.updated_at),
        updated_at=_typed(progress.updated_at),
        furthest_index=_typed(progress.furthest_index),
        last_section_id=_typed(progress.last_section_id),
        cycle=1,
    )
    touch = touch.on_conflict_do_update(
        index_elements=["user_id", "module_id"],
        set_={
            "furthest_index": case(
                (progress.furthest_index < touch.excluded.furthest_index, touch.excluded.furthest_index),
                else_=progress.furthest_index,
            ),
            "last_section_id": touch.excluded.last_section_id,
            "updated_at": touch.excluded.updated_at,
        },
    )
    seen = (
        insert_for(SectionView)
        .values(
            user_id=_typed(view.user_id),
            module_id=_typed(view.module_id),
            section_id=_typed(view.section_id),
            seen_at=_typed(view.seen_at),
        )
        .on_conflict_do_nothing()
        .returning(view.user_id)
    )
    undefer = delete(SectionDeferral).where(
        deferral.user_id == _typed(view.user_id),
        deferral.module_id == _typed(view.module_id),
        deferral.section_id == _typed(view.section_id),
    )
    return {"touch": touch, "seen": seen, "undefer": undefer}


_WRITES: dict[Any, dict[str, Any]] = {}


def _writes_for_session() -> dict[str, Any]:
    return built_once(_WRITES, _build_writes)


def touch_progress(user_id: int, module: Module, index: int, place: str | None) -> None:
    """Create the progress row if needed; move the furthest point forward only, never back (one upsert)."""
    db.session.execute(
        _writes_for_session()["touch"],
        {
            "user_id": user_id,
            "module_id": module.id,
            "updated_at": utcnow(),
            "furthest_index": index,
            "last_section_id": place,
        },
    )


@writes
def record_section_seen(user_id: int, module: Module, section_id: str) -> str | None:
    """Mark a section read (idempotent) and return the next section's id."""
    following = next_section_id(module, section_id)
    statements = _writes_for_session()
    key = {"user_id": user_id, "module_id": module.id, "section_id": section_id}
    first_time = db.session.execute(statements["seen"], {**key, "seen_at": utcnow()}).first() is not None
    db.session.execute(statements["undefer"], key)
    touch_progress(user_id, module, module.section_index(section_id), following or section_id)
    if first_time:  # reading a section again changes no insight figure
        insight_totals.learner_acted(user_id, module, ("minutes",))
    signals.section_seen.send(signals.sender(), user_id=user_id, module_id=module.id, section_id=section_id)
    return following


@writes
def defer_section(user_id: int, module: Module, section_id: str) -> str | None:
    """Skip a noted section for now; it stays on the learner's 'to come back to' list."""
    following = next_section_id(module, section_id)
    already_seen = db.session.get(SectionView, (user_id, module.id, section_id)) is not None
    if not already_seen:
        insert_ignore(
            SectionDeferral, user_id=user_id, module_id=module.id, section_id=section_id, deferred_at=utcnow()
        )
    touch_progress(user_id, module, -1, following or section_id)
    return following


@writes
def take_pause(
    user_id: int,
    module_id: str | None,
    section_id: str | None,
    draft: dict[str, list[int]] | None = None,
    questions: dict[str, str] | None = None,
) -> Pause:
    """Remember where the learner paused (and any unchecked answers). Never logged.

    ``questions`` are the fingerprints of the questions answered, so a draft is put back only while
    they are worded the same.
    """
    pause = Pause(user_id=user_id, module_id=module_id, section_id=section_id, paused_at=utcnow())
    db.session.add(pause)
    if module_id and section_id:
        db.session.execute(
            update(ModuleProgress)
            .where(ModuleProgress.user_id == user_id, ModuleProgress.module_id == module_id)
            .values(last_section_id=section_id, updated_at=utcnow())
        )
        if draft:
            upsert(
                DraftAnswers,
                ("user_id", "module_id", "section_id"),
                user_id=user_id,
                module_id=module_id,
                section_id=section_id,
                answers=json.dumps(draft),
                questions=json.dumps(questions or {}),
                saved_at=utcnow(),
            )
    return pause


def last_pause(user_id: int) -> Pause | None:
    """The learner's most recent pause, to offer a way back."""
    return db.session.scalar(
        select(Pause)
        .where(Pause.user_id == user_id)
        .order_by(Pause.paused_at.desc(), Pause.id.desc())
        .limit(1)
    )


def load_draft(user_id: int, module_id: str, section_id: str) -> dict[str, list[int]]:
    """Answers saved by a pause and not yet checked."""
    row = db.session.get(DraftAnswers, (user_id, module_id, section_id))
    return json.loads(row.answers) if row else {}


def _section_page_state_statement() -> Any:
    """Built once (building a four-part UNION costs more than running it); bound per call."""
    user: Any = bindparam("user_id")
    module: Any = bindparam("module_id")
    section: Any = bindparam("section_id")
    cycle = (
        select(func.coalesce(func.max(ModuleProgress.cycle), 1))
        .where(ModuleProgress.user_id == user, ModuleProgress.module_id == module)
        .scalar_subquery()
    )
    this_pass = (
        QuizAttempt.user_id == user,
        QuizAttempt.module_id == module,
        QuizAttempt.section_id == section,
        QuizAttempt.cycle == cycle,
    )
    latest = (
        select(QuizAttempt.id)
        .where(*this_pass)
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return union_all(
        select(
            literal("a").label("kind"),
            func.coalesce(QuizAttempt.questions, "").label("key"),
            QuizAttempt.answers.label("value"),
        ).where(QuizAttempt.id == latest),
        select(literal("n"), sql_cast(cycle, String), sql_cast(func.count(), String))
        .select_from(QuizAttempt)
        .where(*this_pass),
        select(literal("d"), func.coalesce(DraftAnswers.questions, ""), DraftAnswers.answers).where(
            DraftAnswers.user_id == user, DraftAnswers.module_id == module, DraftAnswers.section_id == section
        ),
        select(literal("r"), ReflectionEntry.reflection_id, ReflectionEntry.text).where(
            ReflectionEntry.user_id == user, ReflectionEntry.module_id == module
        ),
        select(literal("s"), SectionView.section_id, literal("")).where(
            SectionView.user_id == user, SectionView.module_id == module, SectionView.section_id == section
        ),
    )


_SECTION_PAGE_STATE = _section_page_state_statement()


@dataclass
class SectionPageState:
    """What one learner's section page shows of theirs: read in one statement (``section_page_state``)."""

    #: the latest checked answers for the section in this pass through the module, or None
    checked: dict[str, list[int]] | None
    #: answers saved by a pause and not yet checked
    draft: dict[str, list[int]]
    #: the learner's reflections in the module, by prompt id
    reflections: dict[str, str]
    #: whether the learner has read this section
    seen: bool
    #: the fingerprints of the questions the latest checked attempt showed (QuizAttempt.questions)
    checked_questions: dict[str, str] = field(default_factory=dict)
    #: the fingerprints of the questions the draft answered
    draft_questions: dict[str, str] = field(default_factory=dict)
    #: which pass through the module this is, and how many times the section was checked in it
    cycle: int = 1
    attempts: int = 0


def section_page_state(user_id: int, module_id: str, section_id: str) -> SectionPageState:
    """The learner's latest answers, draft, reflections and 'read' mark for a section, in one statement.

    The latest attempt of this pass through the module (with the questions it showed), how many
    attempts this pass has, ``load_draft``, ``reflections.reflections_for`` and a look-up of the
    section's ``SectionView``, answered in one round trip instead of five.
    """
    params = {"user_id": user_id, "module_id": module_id, "section_id": section_id}
    state = SectionPageState(checked=None, draft={}, reflections={}, seen=False)
    for kind, key, value in db.session.execute(_SECTION_PAGE_STATE, params):
        kind, key, value = str(kind), str(key), cast(str | None, value)
        if kind == "a":
            state.checked = json.loads(value) if value is not None else None
            state.checked_questions = json.loads(key) if key else {}
        elif kind == "n":
            state.cycle, state.attempts = int(key), int(value or 0)
        elif kind == "d" and value is not None:
            state.draft = json.loads(value)
            state.draft_questions = json.loads(key) if key else {}
        elif kind == "r" and value is not None:
            state.reflections[key] = value
        else:
            state.seen = True
    return state


def module_state(user_id: int, module: Module) -> ModuleState:
    """The learner's state in one module."""
    progress = db.session.scalar(
        select(ModuleProgress).where(ModuleProgress.user_id == user_id, ModuleProgress.module_id == module.id)
    )
    state = ModuleState()
    if progress is None:
        return state
    state.started = True
    state.last_section_id = progress.last_section_id
    state.cycle = progress.cycle
    read_or_skipped = union_all(  # one round trip for both
        select(literal(True).label("read"), SectionView.section_id).where(
            SectionView.user_id == user_id, SectionView.module_id == module.id
        ),
        select(literal(False).label("read"), SectionDeferral.section_id).where(
            SectionDeferral.user_id == user_id, SectionDeferral.module_id == module.id
        ),
    )
    for read, section_id in db.session.execute(read_or_skipped):
        (state.seen if read else state.deferred).add(section_id)
    records = db.session.scalars(
        select(CompletionRecord)
        .where(
            CompletionRecord.user_id == user_id,
            CompletionRecord.module_id == module.id,
            CompletionRecord.revoked_at.is_(None),
        )
        .order_by(CompletionRecord.cycle)
    ).all()
    state.last_record = records[-1] if records else None
    state.completion = next((r for r in records if r.cycle == progress.cycle), None)
    return state


def latest_completion(user_id: int, module_id: str) -> CompletionRecord | None:
    """The learner's newest completion record for a module."""
    return db.session.scalar(
        select(CompletionRecord)
        .where(CompletionRecord.user_id == user_id, CompletionRecord.module_id == module_id)
        .order_by(CompletionRecord.cycle.desc())
        .limit(1)
    )


@dataclass
class ModuleSummary:
    """One row of "My learning"."""

    module: Module
    status: str  #: one of statuses.MODULE_STATUSES
    seen_count: int
    last_section_id: str | None


def latest_records(user_id: int) -> dict[str, CompletionRecord]:
    """The newest record per module that has not been revoked."""
    latest: dict[str, CompletionRecord] = {}
    rows = db.session.scalars(
        select(CompletionRecord)
        .where(CompletionRecord.user_id == user_id, CompletionRecord.revoked_at.is_(None))
        .order_by(CompletionRecord.cycle)
    )
    for record in rows:
        latest[record.module_id] = record
    return latest


def my_learning(
    user_id: int, library: Library, scheme: LevelScheme | None = None
) -> list[tuple[Level, list[ModuleSummary]]]:
    """Every module grouped by level, with the learner's status; three queries in all."""
    from tilearn.services.certificates import record_status

    progress = {
        row.module_id: row
        for row in db.session.scalars(select(ModuleProgress).where(ModuleProgress.user_id == user_id))
    }
    seen = dict(
        db.session.execute(
            select(SectionView.module_id, func.count())
            .where(SectionView.user_id == user_id)
            .group_by(SectionView.module_id)
        ).all()
    )
    records = latest_records(user_id)
    grouped = []
    for level, modules in library.by_level(scheme):
        rows = []
        for module in modules:
            row = progress.get(module.id)
            record = records.get(module.id)
            if record is not None and (row is None or row.cycle == record.cycle):
                status = MODULE_STATUS_OF[record_status(record, library.stale_labels(module.id)).key]
            else:
                status = IN_PROGRESS if row else NOT_STARTED
            rows.append(
                ModuleSummary(module, status, seen.get(module.id, 0), row.last_section_id if row else None)
            )
        grouped.append((level, rows))
    return grouped
