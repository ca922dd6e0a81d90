"""People, their roles, their signed-in sessions and failed sign-in attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tilearn.extensions import db
from tilearn.models.types import UTCDateTime, utcnow

ROLES = ("learner", "trainer", "manager", "admin")


class User(db.Model):
    """A member of staff or volunteer who can sign in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-case; the sign-in name
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: werkzeug scrypt hash; never logged
    password_hash: Mapped[str] = mapped_column(String(255))
    #: set when an admin disables the account; sign-in and sessions stop at once
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: set when an admin erased the person: name and email are replaced, records kept anonymised
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    #: overrides the team's expected level for this person (a level key of the scheme)
    expected_level: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    #: the signed-in session this object was loaded through (set by the session loader)
    session_token = None

    @property
    def roles(self) -> frozenset[str]:
        """Every role the person holds."""
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        """True when the person holds any of the given roles."""
        return bool(self.roles & set(roles))

    # Flask-Login's user protocol
    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        """The session token, so signing out ends exactly this session."""
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    """One role held by one person (a person may hold several)."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


class UserSession(db.Model):
    """A signed-in browser. Deleting the row signs that browser out everywhere it is checked."""

    __tablename__ = "user_sessions"

    #: SHA-256 of the token held in the browser's cookie; the token itself is never stored
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<UserSession user={self.user_id} until={self.expires_at:%Y-%m-%d %H:%M}>"


class LoginAttempt(db.Model):
    """A failed sign-in, counted per account and per address for rate limiting."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_account_at", "account", "attempted_at"),
        Index("ix_login_attempts_address_at", "address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the e-mail address that was tried, lower-case (it may not be a real account)
    account: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.account} from {self.address}>"
