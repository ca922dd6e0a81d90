"""Running totals behind trainers' insight, and each learner's share of them (never shown to anyone)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tilearn.extensions import Model
from tilearn.models.progress import user_fk
from tilearn.models.types import UTCDateTime


class InsightShare(Model):
    """One learner's part of a module's insight totals (services.insight_totals keeps it).

    Kept so that when the learner acts, only the difference their action made is added to the
    totals. Private: no page or export reads it, and it goes when the learner is erased.
    """

    __tablename__ = "insight_shares"

    user_id: Mapped[int] = mapped_column(user_fk(), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: JSON: {"minutes": {section: whole minutes}, "retried": [section], "right": {question: 0 or 1}}
    facts: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<InsightShare {self.module_id} user={self.user_id}>"


class InsightTotal(Model):
    """A module's insight total: the sum of every learner's share (aggregate; names no one)."""

    __tablename__ = "insight_totals"

    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    measure: Mapped[str] = mapped_column(String(8), primary_key=True)
    item: Mapped[str] = mapped_column(String(64), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)

    def __repr__(self) -> str:
        return f"<InsightTotal {self.module_id} {self.measure} {self.item}>"


class InsightCount(Model):
    """Which version of a module its totals were counted for; a new version is counted afresh once."""

    __tablename__ = "insight_counts"

    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<InsightCount {self.module_id}>"
