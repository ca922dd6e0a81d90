"""Certificates: the status of a completion record, revocation, refreshers, and the PDF."""

from __future__ import annotations

import calendar
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, ScalarSelect, delete, select, update
from sqlalchemy.orm import InstrumentedAttribute

from tilearn.database import writes
from tilearn.engine import Module
from tilearn.extensions import db
from tilearn.models import (
    CompletionRecord,
    DraftAnswers,
    ModuleProgress,
    QuestionResult,
    SectionDeferral,
    SectionView,
    User,
)
from tilearn.models.types import utcnow
from tilearn.services import insight_totals
from tilearn.services.audit import record_event
from tilearn.services.statuses import DUE_WINDOW, REVOKED, decide, due_band

log = logging.getLogger("tilearn.certificates")


@dataclass(frozen=True)
class RecordStatus:
    """How a completion record stands today."""

    key: str  #: one of statuses.RECORD_STATUSES
    days_left: int | None = None  #: days until expiry, when there is one

    @property
    def due_band(self) -> int | None:
        """30, 60 or 90 when the record expires within that many days."""
        return due_band(self.days_left)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the last day of a shorter month)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def record_status(
    record: CompletionRecord, stale: Collection[str] = frozenset(), now: datetime | None = None
) -> RecordStatus:
    """Revoked, expired, due for refresher, refresher recommended (material change) or valid.

    ``stale`` are the module's versions some later material change outdated:
    ``library.stale_labels(record.module_id)`` (engine.versions.stale_labels decides them).
    """
    now = now or utcnow()
    expires = record.expires_at
    facts = {
        "missing": record.revoked_at is not None,
        "expired": expires is not None and expires <= now,
        "due": expires is not None and expires - now <= DUE_WINDOW,
        "changed": record.module_version in stale,
    }
    key = decide(facts).record
    return RecordStatus(key, None if key == REVOKED or expires is None else (expires - now).days)


def find_by_code(code: str) -> tuple[CompletionRecord, User] | None:
    """The record with this verification code and its holder, or None."""
    if not code or len(code) > 64:
        return None
    row = db.session.execute(
        select(CompletionRecord, User)
        .join(User, User.id == CompletionRecord.user_id)
        .where(CompletionRecord.verification_code == code)
    ).first()
    return (row.CompletionRecord, row.User) if row else None


def records_for(user_id: int) -> list[CompletionRecord]:
    """A learner's own completion records, newest first."""
    return list(
        db.session.scalars(
            select(CompletionRecord)
            .where(CompletionRecord.user_id == user_id)
            .order_by(CompletionRecord.issued_at.desc(), CompletionRecord.id.desc())
        )
    )


def _copy_current_records(*where: ColumnElement[bool]) -> int:
    """Point each progress row (those matching where) at its newest un-revoked record and copy it."""
    newest = (
        select(CompletionRecord.id)
        .where(
            CompletionRecord.user_id == ModuleProgress.user_id,
            CompletionRecord.module_id == ModuleProgress.module_id,
            CompletionRecord.revoked_at.is_(None),
        )
        .order_by(CompletionRecord.cycle.desc())
        .limit(1)
        .scalar_subquery()
    )
    # Not synchronised into loaded objects (that would fetch every row): the commit expires them.
    options = {"synchronize_session": False}
    rows = cast(
        CursorResult[Any],
        db.session.execute(
            update(ModuleProgress).where(*where).values(current_record_id=newest), execution_options=options
        ),
    ).rowcount

    def copied(column: InstrumentedAttribute[Any]) -> ScalarSelect[Any]:
        return select(column).where(CompletionRecord.id == ModuleProgress.current_record_id).scalar_subquery()

    db.session.execute(
        update(ModuleProgress)
        .where(*where)
        .values(
            current_issued_at=copied(CompletionRecord.issued_at),
            current_expires_at=copied(CompletionRecord.expires_at),
            current_version=copied(CompletionRecord.module_version),
        ),
        execution_options=options,
    )
    return rows


def sync_current_record(user_id: int, module_id: str) -> None:
    """Copy the newest un-revoked record onto the learner's progress row, which the reports read.

    Call it in the transaction that issues or revokes a record. The progress row is locked
    first, so on PostgreSQL two such transactions for one learner and module take turns and
    the second reads what the first committed.
    """
    where = (ModuleProgress.user_id == user_id, ModuleProgress.module_id == module_id)
    db.session.execute(select(ModuleProgress.id).where(*where).with_for_update())
    _copy_current_records(*where)


@writes
def resync_current_records() -> int:
    """Rebuild every progress row's copy of its current record from the records; returns the rows.

    Only needed after completion_records was edited by hand, outside tilearn.
    """
    rows = _copy_current_records()
    log.info("current records of %s progress rows rebuilt", rows)
    return rows


@writes
def revoke_record(actor_id: int, record_id: int, reason: str) -> CompletionRecord:
    """Mark a record revoked with a reason (never deleted); audited."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Give a reason for revoking the certificate.")
    record = db.session.get(CompletionRecord, record_id)
    if record is None:
        raise LookupError(f"no completion record {record_id}")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        record.revoked_reason = reason[:2000]
        db.session.flush()
        sync_current_record(record.user_id, record.module_id)
        record_event(actor_id, "certificate.revoked", f"record:{record.id}", reason[:2000])
    return record


@writes
def start_refresher(user_id: int, module: Module) -> None:
    """Begin the module again for a refresher: a new cycle, with this cycle's reading and answers cleared.

    Completion records are kept; the next completion adds a new one.
    """
    where = (SectionView.user_id == user_id, SectionView.module_id == module.id)
    db.session.execute(delete(SectionView).where(*where))
    db.session.execute(
        delete(SectionDeferral).where(
            SectionDeferral.user_id == user_id, SectionDeferral.module_id == module.id
        )
    )
    db.session.execute(
        delete(QuestionResult).where(QuestionResult.user_id == user_id, QuestionResult.module_id == module.id)
    )
    db.session.execute(
        delete(DraftAnswers).where(DraftAnswers.user_id == user_id, DraftAnswers.module_id == module.id)
    )
    db.session.execute(
        update(ModuleProgress)
        .where(ModuleProgress.user_id == user_id, ModuleProgress.module_id == module.id)
        .values(cycle=ModuleProgress.cycle + 1, furthest_index=-1, last_section_id=None, updated_at=utcnow())
    )
    insight_totals.learner_acted(user_id, module)


def certificate_pdf(
    record: CompletionRecord, holder: str, organisation: str, verify_url: str, status: RecordStatus
) -> bytes:
    """A real PDF certificate: holder, module, level, version, dates, status and a QR code to verify."""
    # Imported here, not at start-up: fpdf2 (with fontTools), uharfbuzz and segno add a tenth of a second.
    from tilearn.services import certificate_document

    return certificate_document.certificate_pdf(record, holder, organisation, verify_url, status)
