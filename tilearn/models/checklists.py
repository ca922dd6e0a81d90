"""Choosing quality training: a checklist answered for a training offer, or for one version of a module."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tilearn.extensions import Model
from tilearn.models.types import UTCDateTime, utcnow


class TrainingChecklist(Model):
    """A trainer's or admin's answers to the quality checklist for a module version or a training offer.

    The questions are kept as they were asked, so old checklists read the same after the file changes.
    """

    __tablename__ = "training_checklists"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the module checked, with the version label it had (both None for a training offer)
    module_id: Mapped[str | None] = mapped_column(String(64), index=True)
    module_version: Mapped[str | None] = mapped_column(String(64))
    #: the training offer checked, by name, when it is not a module on this site
    offer: Mapped[str | None] = mapped_column(String(200), index=True)
    #: JSON: the checklist's name, intro and questions when it was answered
    questions: Mapped[str] = mapped_column(Text)
    #: JSON: {question key: {"answer": yes|partly|no|not-sure, "notes"}}
    answers: Mapped[str] = mapped_column(Text)
    #: overall notes, in plain words
    notes: Mapped[str | None] = mapped_column(Text)
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        about = f"module:{self.module_id}@{self.module_version}" if self.module_id else f"offer:{self.offer}"
        return f"<TrainingChecklist {self.id} {about}>"
