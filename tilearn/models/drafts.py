"""A trainer's draft of a module: private until it is published, never seen by learners or managers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tilearn.extensions import Model
from tilearn.models.types import UTCDateTime, utcnow


class ModuleDraft(Model):
    """The markdown a trainer is working on for one module (at most one draft per module)."""

    __tablename__ = "module_drafts"

    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    markdown: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the published version label the draft started from; None for a new module
    based_on_version: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<ModuleDraft {self.module_id}>"


class ModuleDraftFile(Model):
    """An image or handout that belongs to a draft, by its path inside the module folder."""

    __tablename__ = "module_draft_files"

    module_id: Mapped[str] = mapped_column(
        ForeignKey("module_drafts.module_id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(String(255), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    def __repr__(self) -> str:
        return f"<ModuleDraftFile {self.module_id}/{self.path}>"
