"""Saved insight figures: a module's aggregates as last worked out (already suppressed; no person in them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tilearn.extensions import Model
from tilearn.models.types import UTCDateTime


class InsightSnapshot(Model):
    """A module's insight as last worked out, so a page need not recount every learner each time."""

    __tablename__ = "insight_snapshots"

    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: the module's content hash when worked out: a republished module is worked out afresh
    content_hash: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: JSON of the suppressed figures only (services.insight_snapshots)
    figures: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<InsightSnapshot {self.module_id}>"
