"""Completion records: append-only, one per learner, module and cycle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tilearn.extensions import Model
from tilearn.models.types import UTCDateTime, utcnow


class CompletionRecord(Model):
    """Proof that a learner completed a module version. Never updated except to revoke."""

    __tablename__ = "completion_records"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id", "cycle"),
        #: covers the reports' newest un-revoked record per learner and module, and its status
        Index(
            "ix_completion_records_current",
            "user_id",
            "module_id",
            "revoked_at",
            "cycle",
            "expires_at",
            "module_version",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(64), index=True)
    module_version: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the module's files when it was completed
    content_hash: Mapped[str] = mapped_column(String(64))
    #: percentage of the module's questions answered correctly
    score: Mapped[int] = mapped_column(Integer)
    #: matches ModuleProgress.cycle: the unique key that stops a double completion
    cycle: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: random, at least 128 bits; printed on the certificate for public checking
    verification_code: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    #: when this record stops being current (issued_at + the refresher interval); None: never
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the module title and level name when issued, so a certificate reads the same later
    module_title: Mapped[str | None] = mapped_column(String(300))
    level_name: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<CompletionRecord {self.id} user={self.user_id} {self.module_id} v{self.module_version}>"
