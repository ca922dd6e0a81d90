"""Passwords: how strong a new one must be, changing your own, and one-time set-password links."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from tilearn.database import commit_now, writes, writing
from tilearn.eventlog import log_event, log_event_on_commit
from tilearn.extensions import db
from tilearn.models import PasswordLink, User, UserSession
from tilearn.models.types import utcnow
from tilearn.services.accounts import (
    ACCOUNT,
    _clear_attempts,
    _count_attempt,
    _dummy_hash,
    _hash_token,
    has_usable_password,
    wait_in_words,
)
from tilearn.services.sql import upsert

MIN_PASSWORD, MAX_PASSWORD = 12, 200
#: how long a set-password link works
PASSWORD_LINK_LIFETIME = timedelta(days=7)
#: zxcvbn's score (0-4) a new password must reach
MIN_STRENGTH = 3


class PasswordError(ValueError):
    """A password that cannot be used, or a current password that is not right; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class LinkUnusable(Exception):
    """A set-password link that was used already, has expired, was replaced or never existed."""


def _folded(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def password_problem(password: str, name: str = "", email: str = "") -> str | None:
    """Why a new password is too easy to guess, in plain words; None when it is strong enough.

    Uses zxcvbn (offline: common passwords, words, names, keyboard patterns, dates) and refuses
    passwords that contain the person's name or the first part of their e-mail address.
    """
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters. A few unrelated words make a good password."
    if len(password) > MAX_PASSWORD:
        return f"Use {MAX_PASSWORD} characters or fewer."
    folded = _folded(password)
    local = email.partition("@")[0]
    if len(_folded(local)) >= 4 and _folded(local) in folded:
        return "Choose a password that does not contain your email address."
    names = [part for part in re.split(r"[^a-z]+", name.lower()) if len(part) >= 4]
    if any(part in folded for part in names):
        return "Choose a password that does not contain your name."
    from zxcvbn import zxcvbn  # loads its word lists: only when a password is being chosen

    inputs = [value for value in (name, local, *names, *re.split(r"[^a-z0-9]+", local.lower())) if value]
    result = zxcvbn(password[:72], user_inputs=inputs)  # zxcvbn's own limit; more only adds strength
    if result["score"] >= MIN_STRENGTH:
        return None
    feedback = result["feedback"]
    advice = " ".join(part for part in [feedback["warning"], *feedback["suggestions"]] if part)
    return "Choose a password that is harder to guess. " + (
        advice or "Add another word or two. Uncommon words are better."
    )


def _set_password(user: User, password_hash: str, keep_token: str | None = None) -> None:
    """Store a new hash and end the person's sessions (all but ``keep_token``'s)."""
    user.password_hash = password_hash
    ending = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_token:
        ending = ending.where(UserSession.token_hash != _hash_token(keep_token))
    db.session.execute(ending)


@writes
def change_own_password(user: User, current: str, new: str, keep_token: str | None, limits: dict) -> None:
    """A signed-in person changes their password; their other sessions end, this one stays.

    The current password is asked (and counted like a sign-in); the new one is checked for strength.
    """
    attempts, since = _count_attempt(ACCOUNT, user.email, limits["window"])
    stored, user_id = user.password_hash, user.id
    # On purpose: counted (committed) before the hash is checked, as at sign-in, and the count
    # must outlive a refusal; no transaction is held while the hash is worked out.
    commit_now()
    if attempts > limits["per_account"]:
        log_event("password.change_throttled", user_id)
        raise PasswordError(
            "current_password",
            "There have been several unsuccessful attempts. For your security, please wait "
            f"{wait_in_words(since + limits['window'])} and try again.",
        )
    usable = has_usable_password(stored)
    if not (check_password_hash(stored if usable else _dummy_hash(), current or "") and usable):
        log_event("password.change_refused", user_id, reason="bad_password")
        raise PasswordError("current_password", "Your current password is not right. Try again.")
    _clear_attempts(user.email)
    commit_now()  # on purpose: the right current password was given, whatever the new one is like
    problem = password_problem(new, user.name, user.email)
    if problem:
        raise PasswordError("new_password", problem)
    new_hash = generate_password_hash(new)
    _set_password(user, new_hash, keep_token)
    log_event_on_commit("password.changed", user_id, sessions="others_ended")


@writes
def make_password_link(user_id: int) -> tuple[str, datetime]:
    """A new one-time set-password token for a person, replacing any earlier one.

    Returns the raw token (256 random bits, never stored: only its SHA-256 is) and when it expires.
    """
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + PASSWORD_LINK_LIFETIME
    upsert(
        PasswordLink,
        ("user_id",),
        user_id=user_id,
        token_hash=_hash_token(token),
        created_at=now,
        expires_at=expires_at,
    )
    return token, expires_at


def password_link_expiry(user_id: int) -> datetime | None:
    """When the person's unused set-password link stops working, or None if they have none."""
    return db.session.scalar(
        select(PasswordLink.expires_at).where(
            PasswordLink.user_id == user_id, PasswordLink.expires_at > utcnow()
        )
    )


def _living_link_holder(token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(
        select(User)
        .join(PasswordLink, PasswordLink.user_id == User.id)
        .where(PasswordLink.token_hash == _hash_token(token), PasswordLink.expires_at > utcnow())
    )
    if user is None or not user.is_active or user.erased_at is not None:
        return None
    return user


def person_for_link(token: str) -> User | None:
    """The person a set-password link is for, or None when it is used, expired, replaced or unknown."""
    return _living_link_holder(token)


def set_password_with_link(token: str, new_password: str) -> User:
    """Set a person's password from their link; every session of theirs ends.

    The password is checked for strength; the link is used up at once (of two browsers at the
    same moment, only one succeeds).
    """
    user = _living_link_holder(token)
    if user is None:
        raise LinkUnusable()
    problem = password_problem(new_password, user.name, user.email)
    if problem:
        raise PasswordError("new_password", problem)
    new_hash = generate_password_hash(new_password)  # before the write, so no lock is held meanwhile
    with writing():
        used = db.session.execute(
            delete(PasswordLink)
            .where(PasswordLink.token_hash == _hash_token(token), PasswordLink.expires_at > utcnow())
            .returning(PasswordLink.user_id)
        ).first()
        if used is None or used.user_id != user.id:
            raise LinkUnusable()  # writing() rolls back
        _set_password(user, new_hash)
        _clear_attempts(user.email)
        log_event_on_commit("password_link.used", user.id)
        log_event_on_commit("password.changed", user.id, sessions="all_ended")
    return user
