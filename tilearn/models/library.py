"""The site's module library: every published version of a module, retired modules, and a change counter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tilearn.extensions import Model
from tilearn.models.types import UTCDateTime, utcnow

#: Where a version came from: published on the site, served from modules/ on disk,
#: imported with `flask modules import`, or an older text published again.
VERSION_SOURCES = ("site", "file", "import", "rollback")


class ModuleVersion(Model):
    """One published version of a module: its text as learners got it. Never updated.

    A "file" version is one the site served from a folder on disk. Rows made by the upgrade
    from the completion records have no text (``markdown`` NULL, "not kept"): the site fills
    one in once, the first time it serves that version from disk.
    """

    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("module_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), index=True)
    #: the label in the module's `version:` field, e.g. "1.4"
    version: Mapped[str] = mapped_column(String(64))
    markdown: Mapped[str | None] = mapped_column(Text)
    #: SHA-256 of the text and files, as engine.library.content_hash; "" when the text was not kept
    content_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: what changed, in words for learners
    note: Mapped[str] = mapped_column(Text, default="")
    #: the change matters: holders of earlier versions are recommended a refresher
    material: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16))  #: one of VERSION_SOURCES
    #: for a rollback: the version whose text was published again
    rolled_back_from_id: Mapped[int | None] = mapped_column(ForeignKey("module_versions.id"))

    def __repr__(self) -> str:
        return f"<ModuleVersion {self.id} {self.module_id} v{self.version} {self.source}>"


class ModuleVersionFile(Model):
    """An image or PDF handout of one version, stored with it."""

    __tablename__ = "module_version_files"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("module_versions.id", ondelete="CASCADE"), primary_key=True
    )
    #: its path in the module's folder, e.g. "images/lake.png"
    path: Mapped[str] = mapped_column(String(300), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    def __repr__(self) -> str:
        return f"<ModuleVersionFile {self.version_id} {self.path}>"


class RetiredModule(Model):
    """A module no longer offered to learners; its records stay valid and verifiable."""

    __tablename__ = "retired_modules"

    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<RetiredModule {self.module_id}>"


class LibraryGeneration(Model):
    """One row (id 1): raised with every publish, rollback, retire or restore, so every worker reloads."""

    __tablename__ = "library_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<LibraryGeneration {self.generation}>"
