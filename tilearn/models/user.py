"""People, their roles, their signed-in sessions, sign-in counters and set-password links."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tilearn.extensions import Model
from tilearn.models.types import UTCDateTime, utcnow

ROLES = ("learner", "trainer", "manager", "admin")


class User(Model):
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
    #: (typed by cast, not an annotation: the ORM would try to map an annotated attribute)
    session_token = cast("str | None", None)

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


class UserRole(Model):
    """One role held by one person (a person may hold several)."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


class UserSession(Model):
    """A signed-in browser. Deleting the row signs that browser out everywhere it is checked."""

    __tablename__ = "user_sessions"

    #: SHA-256 of the token held in the browser's cookie; the token itself is never stored
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<UserSession user={self.user_id} until={self.expires_at:%Y-%m-%d %H:%M}>"


class SignInCounter(Model):
    """Sign-in attempts in the current window for one account or one address, for rate limiting.

    Counted with one atomic insert-or-update before any password is checked, so parallel attempts
    on any number of workers never check more passwords than the limit.
    """

    __tablename__ = "sign_in_counters"

    #: "account" (key: the e-mail address tried, lower-case, maybe no real account) or "address"
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(254), primary_key=True)
    #: when the first attempt of this window was made; the window ends LOGIN_LIMIT_WINDOW later
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    #: attempts in the window, the refused-because-throttled ones included
    attempts: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<SignInCounter {self.scope} {self.attempts} since {self.window_start:%H:%M}>"


class PasswordLink(Model):
    """A one-time link for a person to set their own password; a newer link replaces it."""

    __tablename__ = "password_links"

    #: one link per person at most: making a new one replaces (and so stops) the old one
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: SHA-256 of the token in the link; the token itself is never stored or logged
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<PasswordLink user={self.user_id} until={self.expires_at:%Y-%m-%d %H:%M}>"
