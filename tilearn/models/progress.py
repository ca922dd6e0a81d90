"""A learner's progress through modules. Pauses, deferrals, drafts and reflections are private."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tilearn.extensions import Model
from tilearn.models.types import UTCDateTime, utcnow


def user_fk() -> ForeignKey:
    """A foreign key to the learner, removed with them."""
    return ForeignKey("users.id", ondelete="CASCADE")


class ModuleProgress(Model):
    """Where a learner is in one module, and the completion record that currently counts for it.

    The ``current_*`` columns copy the newest un-revoked completion record, so the managers'
    report reads one row per learner and module; ``services.certificates.sync_current_record``
    keeps them in step whenever a record is issued or revoked.
    """

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(user_fk())
    module_id: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the section the learner last opened: "resume" returns here
    last_section_id: Mapped[str | None] = mapped_column(String(64))
    #: the furthest section index seen; only ever increases
    furthest_index: Mapped[int] = mapped_column(Integer, default=-1)
    #: which pass through the module this is; a refresher starts the next cycle
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    #: the newest completion record of any cycle that is not revoked; None: none yet
    current_record_id: Mapped[int | None] = mapped_column(ForeignKey("completion_records.id"))
    current_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: None with a record: it never expires
    current_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    current_version: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<ModuleProgress user={self.user_id} {self.module_id}>"


class SectionView(Model):
    """A section the learner has read to the end (insert-only, so progress never goes back)."""

    __tablename__ = "section_views"

    user_id: Mapped[int] = mapped_column(user_fk(), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    section_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<SectionView {self.user_id} {self.module_id}/{self.section_id}>"


class SectionDeferral(Model):
    """A noted section the learner chose to skip for now (private: a self-care choice)."""

    __tablename__ = "section_deferrals"

    user_id: Mapped[int] = mapped_column(user_fk(), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    section_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    deferred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<SectionDeferral {self.user_id} {self.module_id}/{self.section_id}>"


class QuestionResult(Model):
    """Whether the learner's latest answer to one question was right (private)."""

    __tablename__ = "question_results"

    user_id: Mapped[int] = mapped_column(user_fk(), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the question's content fingerprint when it was answered; a rewritten question does not count
    fingerprint: Mapped[str | None] = mapped_column(String(16))
    #: whether the first answer to the question as now worded was right (trainers' item analysis)
    first_correct: Mapped[bool | None] = mapped_column(Boolean)

    def __repr__(self) -> str:
        return f"<QuestionResult {self.user_id} {self.module_id}/{self.question_id}>"


class QuizAttempt(Model):
    """One submission of a section's questions (private). The key makes resubmits harmless."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("user_id", "attempt_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(user_fk())
    module_id: Mapped[str] = mapped_column(String(64))
    section_id: Mapped[str] = mapped_column(String(64))
    #: random key put in the form when it was shown; a second submit of it is ignored
    attempt_key: Mapped[str] = mapped_column(String(64))
    #: JSON: {"question-id": [chosen option indexes]}, for the questions answered
    answers: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the pass through the module (ModuleProgress.cycle) it belongs to: a refresher starts afresh
    cycle: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: JSON: {"question-id": content fingerprint} of every question shown (a bank's drawn items)
    questions: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<QuizAttempt {self.id} {self.module_id}/{self.section_id}>"


class DraftAnswers(Model):
    """Answers chosen but not yet checked, saved when the learner paused."""

    __tablename__ = "draft_answers"

    user_id: Mapped[int] = mapped_column(user_fk(), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    section_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    answers: Mapped[str] = mapped_column(Text)  #: JSON as in QuizAttempt.answers
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: JSON as in QuizAttempt.questions: an answer is put back only if its question is unchanged
    questions: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<DraftAnswers {self.user_id} {self.module_id}/{self.section_id}>"


class ReflectionEntry(Model):
    """What a learner wrote for a reflection prompt. Only they can ever read it."""

    __tablename__ = "reflection_entries"

    user_id: Mapped[int] = mapped_column(user_fk(), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reflection_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ReflectionEntry {self.user_id} {self.module_id}/{self.reflection_id}>"


class Pause(Model):
    """A pause the learner took, and the place to return to (private)."""

    __tablename__ = "pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(user_fk(), index=True)
    module_id: Mapped[str | None] = mapped_column(String(64))
    section_id: Mapped[str | None] = mapped_column(String(64))
    paused_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Pause {self.id} user={self.user_id}>"


class GroundingVisit(Model):
    """A signed-in learner opened the grounding page, and what they were reading then (private)."""

    __tablename__ = "grounding_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(user_fk(), index=True)
    #: None: they were not in a module (the menu on any other page, a bookmark)
    module_id: Mapped[str | None] = mapped_column(String(64))
    section_id: Mapped[str | None] = mapped_column(String(64))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<GroundingVisit {self.id} user={self.user_id}>"
