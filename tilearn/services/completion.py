"""Issuing completion records: exactly one per learner, module and cycle."""

from __future__ import annotations

import secrets

from sqlalchemy import bindparam, func, select

from tilearn import signals
from tilearn.database import writing
from tilearn.engine import Module
from tilearn.eventlog import log_event_on_commit
from tilearn.extensions import db
from tilearn.models import CompletionRecord, SectionView
from tilearn.models.types import utcnow
from tilearn.services.certificates import add_months, sync_current_record
from tilearn.services.organisation import current_scheme
from tilearn.services.progress import module_state
from tilearn.services.quizzes import module_score
from tilearn.services.sql import insert_ignore


def sections_outstanding(module: Module, seen: set[str]) -> list[str]:
    """Required sections the learner has not yet read."""
    return [s.id for s in module.sections if s.required and s.id not in seen]


#: how many of the given sections the learner has read; built once, bound per call
_READ_COUNT = (
    select(func.count())
    .select_from(SectionView)
    .where(
        SectionView.user_id == bindparam("user_id"),
        SectionView.module_id == bindparam("module_id"),
        SectionView.section_id.in_(bindparam("required", expanding=True)),
    )
)


def _required_all_read(user_id: int, module: Module) -> bool:
    """One count: has the learner read every required section? (Most calls answer no.)"""
    required = [s.id for s in module.sections if s.required]
    if not required:
        return True
    read = db.session.scalar(_READ_COUNT, {"user_id": user_id, "module_id": module.id, "required": required})
    return read == len(required)


def complete_module(user_id: int, module: Module) -> CompletionRecord | None:
    """Issue the completion record if every required section is read and the pass mark reached.

    Safe to call at any time and from many requests at once: the unique key
    (user, module, cycle) lets only one record through. The checks only read (most calls find the
    module not yet complete and write nothing); called after a write, they share its transaction.
    """
    if not _required_all_read(user_id, module):
        return None
    state = module_state(user_id, module)  # reading is never undone, bar a refresher (score 0)
    if not state.started:
        return None
    score = module_score(user_id, module)
    if score < module.pass_mark:
        return None
    with writing():
        added = insert_ignore_record(user_id, module, score, state.cycle)
        if added:
            sync_current_record(user_id, module.id)
        record = db.session.scalars(
            select(CompletionRecord).where(
                CompletionRecord.user_id == user_id,
                CompletionRecord.module_id == module.id,
                CompletionRecord.cycle == state.cycle,
            )
        ).one()
        if added:
            fields = {"module": module.id, "version": module.version, "record": record.id}
            log_event_on_commit("module.completed", user_id, **fields)
    if added:
        signals.module_completed.send(signals.sender(), record=record)
    return record


def insert_ignore_record(user_id: int, module: Module, score: int, cycle: int) -> bool:
    """Add the record unless this cycle already has one; True when added."""
    level = current_scheme().level_for_module(module.level)
    issued = utcnow()
    months = module.refresher_months or (level.refresher_months if level else None)
    return insert_ignore(
        CompletionRecord,
        user_id=user_id,
        module_id=module.id,
        module_version=module.version,
        content_hash=module.content_hash,
        score=score,
        cycle=cycle,
        issued_at=issued,
        expires_at=add_months(issued, months) if months else None,
        module_title=module.title,
        level_name=level.name if level else module.level,
        #: 24 random bytes: 192 bits, well over the 128 the certificate needs
        verification_code=secrets.token_urlsafe(24),
    )
