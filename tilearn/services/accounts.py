"""Accounts: creating people, signing in (counted and rate limited) and out, and server-side sessions."""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, bindparam, case, delete, literal, or_, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from tilearn import signals
from tilearn.database import commit_now, writes
from tilearn.eventlog import log_event, log_event_on_commit
from tilearn.extensions import db
from tilearn.models import ROLES, SignInCounter, User, UserRole, UserSession
from tilearn.models.types import UTCDateTime, utcnow
from tilearn.services.sql import insert_for

log = logging.getLogger("tilearn.accounts")
#: a password hash starting with this matches nothing: the person has no password yet
UNUSABLE_PREFIX = "!"
ACCOUNT, ADDRESS = "account", "address"


@functools.cache
def _dummy_hash() -> str:
    """Checked against when there is no real hash to check, so timing does not reveal why.

    Made on first use, not at import: scrypt takes a tenth of a second of every start.
    """
    return generate_password_hash("not-a-real-password")


class SignInRefused(Exception):
    """Sign-in did not succeed. The message is the same whatever the reason.

    ``retry_at`` is when a throttled account or address may try again.
    """

    def __init__(self, throttled: bool = False, retry_at: datetime | None = None) -> None:
        super().__init__("throttled" if throttled else "refused")
        self.throttled = throttled
        self.retry_at = retry_at


@dataclass(frozen=True)
class SignInLock:
    """An account (e-mail address tried) or network address that may not sign in until ``until``."""

    scope: str
    key: str
    until: datetime


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_usable_password(password_hash: str) -> bool:
    """False for the placeholder hash of someone who has not set a password yet."""
    return bool(password_hash) and not password_hash.startswith(UNUSABLE_PREFIX)


def sign_in_limits(config: Mapping) -> dict:
    """The sign-in limits from the app's settings, as authenticate() takes them."""
    return {
        "per_account": config["LOGIN_LIMIT_PER_ACCOUNT"],
        "per_address": config["LOGIN_LIMIT_PER_ADDRESS"],
        "window": config["LOGIN_LIMIT_WINDOW"],
    }


def wait_in_words(retry_at: datetime) -> str:
    """How long until ``retry_at``, rounded up to whole minutes: "1 minute", "12 minutes"."""
    minutes = max(1, math.ceil((retry_at - utcnow()).total_seconds() / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@writes
def create_user(email: str, name: str, password: str, roles: tuple[str, ...] = ("learner",)) -> User:
    """Add a person with the given roles and password (the demo and tests; no strength check)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role {sorted(unknown)[0]!r}")
    user = User(
        email=email.strip().lower(), name=name.strip(), password_hash=generate_password_hash(password)
    )
    user.role_rows = [UserRole(role=role) for role in dict.fromkeys(roles)]
    db.session.add(user)
    db.session.flush()
    log.info("user created: id=%s roles=%s", user.id, ",".join(roles))
    return user


def _count_attempt(scope: str, key: str, window: timedelta) -> tuple[int, datetime]:
    """Count one attempt for an account or address, atomically; (attempts in window, window start).

    One INSERT … ON CONFLICT DO UPDATE … RETURNING: parallel attempts on any worker each get
    their own number, so no more than the limit are ever let through to a password check.
    """
    now = utcnow()
    table = SignInCounter.__table__
    statement = insert_for(SignInCounter).values(scope=scope, key=key, window_start=now, attempts=1)
    expired = table.c.window_start < literal(now - window, UTCDateTime())
    statement = statement.on_conflict_do_update(
        index_elements=["scope", "key"],
        set_={
            "attempts": case((expired, 1), else_=table.c.attempts + 1),
            "window_start": case((expired, statement.excluded.window_start), else_=table.c.window_start),
        },
    ).returning(table.c.attempts, table.c.window_start)
    row = db.session.execute(statement).one()
    return row.attempts, row.window_start


def _clear_attempts(account: str, address: str | None = None) -> None:
    """After a success: the account's count starts again, and the address gets its attempt back."""
    db.session.execute(
        delete(SignInCounter).where(SignInCounter.scope == ACCOUNT, SignInCounter.key == account)
    )
    if address is not None:
        db.session.execute(
            update(SignInCounter)
            .where(SignInCounter.scope == ADDRESS, SignInCounter.key == address, SignInCounter.attempts > 0)
            .values(attempts=SignInCounter.attempts - 1)
        )


@writes
def authenticate(email: str, password: str, address: str, limits: dict) -> User:
    """The active user with these credentials; raises SignInRefused otherwise.

    Every attempt is counted before any password is checked, in the database, so every worker
    and machine shares the count and at most the limit of passwords is checked per window.
    Every attempt that is not throttled checks one password hash, whatever the reason it fails.
    """
    account = email.strip().lower()[:254]
    address = address[:64]
    window = limits["window"]
    on_account, account_since = _count_attempt(ACCOUNT, account, window)
    on_address, address_since = _count_attempt(ADDRESS, address, window)
    over = [
        (scope, since + window)
        for scope, attempts, since, limit in (
            (ACCOUNT, on_account, account_since, limits["per_account"]),
            (ADDRESS, on_address, address_since, limits["per_address"]),
        )
        if attempts > limit
    ]
    if over:
        commit_now()  # on purpose: the count must outlive the refusal (an exception) that follows
        log_event("sign_in.throttled", None, scope=over[0][0], address=address)
        raise SignInRefused(throttled=True, retry_at=max(until for _scope, until in over))
    user = db.session.scalar(select(User).where(User.email == account))
    user_id = user.id if user is not None else None
    stored = user.password_hash if user is not None else ""
    usable = has_usable_password(stored)
    active = user is not None and user.is_active
    # On purpose: the attempt is counted (committed) before the hash is checked, so parallel
    # attempts each see the others' counts, and no transaction is held while the hash is worked out.
    commit_now()
    valid = check_password_hash(stored if usable else _dummy_hash(), password) and usable
    if user_id is None:
        reason = "unknown_account"
    elif not usable:
        reason = "no_password"
    elif not valid:
        reason = "bad_password"
    elif not active:
        reason = "disabled"
    else:
        reason = None
    if reason is not None:
        log_event("sign_in.refused", user_id, reason=reason, address=address)
        raise SignInRefused()
    _clear_attempts(account, address)
    log_event_on_commit("sign_in", user_id, address=address)
    return db.session.get_one(User, user_id)


def sign_in_locks(limits: dict, scope: str | None = None, key: str | None = None) -> list[SignInLock]:
    """Accounts and addresses (or just the one asked for) that used up their attempts, soonest free first."""
    now = utcnow()
    query = (
        select(SignInCounter)
        .where(
            SignInCounter.window_start > now - limits["window"],
            or_(
                and_(SignInCounter.scope == ACCOUNT, SignInCounter.attempts >= limits["per_account"]),
                and_(SignInCounter.scope == ADDRESS, SignInCounter.attempts >= limits["per_address"]),
            ),
        )
        .order_by(SignInCounter.window_start, SignInCounter.scope, SignInCounter.key)
    )
    if scope is not None:
        query = query.where(SignInCounter.scope == scope, SignInCounter.key == key)
    rows = db.session.scalars(query)
    return [SignInLock(row.scope, row.key, row.window_start + limits["window"]) for row in rows]


def sign_in_lock(scope: str, key: str, limits: dict) -> SignInLock | None:
    """The pause on one account (e-mail address) or address, if it has used up its attempts."""
    return next(iter(sign_in_locks(limits, scope, key)), None)


@writes
def clear_sign_in_lock(scope: str, key: str) -> bool:
    """Let an account or address try again now; True when there was a count."""
    result = db.session.execute(
        delete(SignInCounter).where(SignInCounter.scope == scope, SignInCounter.key == key)
    )
    return bool(cast(CursorResult[Any], result).rowcount)


@writes
def start_session(user: User, lifetime: timedelta) -> str:
    """Create a server-side session for the user and return its token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(token_hash=_hash_token(token), user_id=user.id, expires_at=now + lifetime))
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at < now)
    )
    user.session_token = token
    signals.user_signed_in.send(signals.sender(), user_id=user.id)
    return token


#: the session's user with their roles, in one statement built once (building it costs more than running it)
_LOAD_SESSION = (
    select(User, UserSession.expires_at)
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.token_hash == bindparam("token_hash"))
    .options(joinedload(User.role_rows))  # one statement on every request, not two
)


def load_session(token: str) -> User | None:
    """The active user behind a session token, or None if it has ended, expired or been disabled."""
    row = db.session.execute(_LOAD_SESSION, {"token_hash": _hash_token(token)}).unique().first()
    if row is None or row.expires_at < utcnow() or not row.User.is_active:
        return None
    user: User = row.User
    user.session_token = token
    return user


@writes
def end_session(token: str | None) -> None:
    """Sign one browser out: its session stops working in every process at once."""
    if not token:
        return
    user_id = db.session.scalar(
        select(UserSession.user_id).where(UserSession.token_hash == _hash_token(token))
    )
    db.session.execute(delete(UserSession).where(UserSession.token_hash == _hash_token(token)))
    if user_id is not None:
        log_event_on_commit("sign_out", user_id)
        signals.user_signed_out.send(signals.sender(), user_id=user_id)
