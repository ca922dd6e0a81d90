"""Accounts: creating people, signing in (rate limited) and out, and server-side sessions."""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from tilearn import signals
from tilearn.extensions import db
from tilearn.models import ROLES, LoginAttempt, User, UserRole, UserSession
from tilearn.models.types import utcnow

log = logging.getLogger("tilearn.accounts")


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the account does not exist, so timing does not reveal it.

    Made on first use, not at import: scrypt takes a tenth of a second of every start.
    """
    return generate_password_hash("not-a-real-password")


class SignInRefused(Exception):
    """Sign-in did not succeed. The message is the same whatever the reason."""

    def __init__(self, throttled: bool = False) -> None:
        super().__init__("throttled" if throttled else "refused")
        self.throttled = throttled


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(email: str, name: str, password: str, roles: tuple[str, ...] = ("learner",)) -> User:
    """Add a person with the given roles and commit."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role {sorted(unknown)[0]!r}")
    user = User(
        email=email.strip().lower(), name=name.strip(), password_hash=generate_password_hash(password)
    )
    user.role_rows = [UserRole(role=role) for role in dict.fromkeys(roles)]
    db.session.add(user)
    db.session.commit()
    log.info("user created: id=%s roles=%s", user.id, ",".join(roles))
    return user


def _recent_failures(column, value: str, since: datetime) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(column == value, LoginAttempt.attempted_at >= since)
    )


def authenticate(email: str, password: str, address: str, limits: dict) -> User:
    """The active user with these credentials; raises SignInRefused otherwise.

    Failed attempts are counted in the database, so every worker and machine shares them.
    """
    account = email.strip().lower()[:254]
    address = address[:64]
    since = utcnow() - limits["window"]
    if (
        _recent_failures(LoginAttempt.account, account, since) >= limits["per_account"]
        or _recent_failures(LoginAttempt.address, address, since) >= limits["per_address"]
    ):
        log.warning("sign-in throttled for an account from %s", address)
        raise SignInRefused(throttled=True)
    user = db.session.scalar(select(User).where(User.email == account))
    valid = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not valid or not user.is_active:
        db.session.add(LoginAttempt(account=account, address=address))
        db.session.commit()
        log.info("sign-in refused from %s", address)
        raise SignInRefused()
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.account == account))
    db.session.commit()
    return user


def start_session(user: User, lifetime: timedelta) -> str:
    """Create a server-side session for the user and return its token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(token_hash=_hash_token(token), user_id=user.id, expires_at=now + lifetime))
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at < now)
    )
    db.session.commit()
    user.session_token = token
    log.info("user %s signed in", user.id)
    signals.user_signed_in.send(None, user_id=user.id)
    return token


def load_session(token: str) -> User | None:
    """The active user behind a session token, or None if it has ended, expired or been disabled."""
    row = (
        db.session.execute(
            select(User, UserSession.expires_at)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == _hash_token(token))
            .options(joinedload(User.role_rows))  # one statement on every request, not two
        )
        .unique()
        .first()
    )
    if row is None or row.expires_at < utcnow() or not row.User.is_active:
        return None
    row.User.session_token = token
    return row.User


def end_session(token: str | None) -> None:
    """Sign one browser out: its session stops working in every process at once."""
    if not token:
        return
    user_id = db.session.scalar(
        select(UserSession.user_id).where(UserSession.token_hash == _hash_token(token))
    )
    db.session.execute(delete(UserSession).where(UserSession.token_hash == _hash_token(token)))
    db.session.commit()
    if user_id is not None:
        log.info("user %s signed out", user_id)
        signals.user_signed_out.send(None, user_id=user_id)


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every session the person has."""
    user.password_hash = generate_password_hash(new_password)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.commit()
    log.info("password changed for user %s; all sessions ended", user.id)
