"""People: adding, changing, disabling, erasing and importing them. Admin actions, all audited.

Audit entries name people by id only, so erasing a person leaves nothing personal in the log.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from tilearn.database import writes
from tilearn.eventlog import log_event_on_commit
from tilearn.extensions import db
from tilearn.models import (
    ROLES,
    PasswordLink,
    Team,
    TeamManager,
    User,
    UserRole,
    UserSession,
)
from tilearn.models.types import utcnow
from tilearn.services import accounts, insight_totals, passwords, personal_data
from tilearn.services.audit import record_event
from tilearn.services.teams import TeamError, clean_level, get_team

EMAIL = re.compile(r"^[^@\s\"',;<>]+@[^@\s\"',;<>]+\.[^@\s\"',;<>.]+$")
MAX_NAME, MAX_EMAIL = 200, 254


class PersonError(ValueError):
    """A change to a person that cannot be made; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PeoplePage:
    """One page of the people list: (person, team name) pairs and where the page sits."""

    rows: list[tuple[User, str | None]]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class PasswordLinkMade:
    """A new set-password link's token (shown once, never stored) and when it stops working."""

    token: str
    expires_at: datetime


def unusable_password() -> str:
    """A password hash nothing matches: the person cannot sign in until they set a password."""
    return accounts.UNUSABLE_PREFIX + secrets.token_urlsafe(24)


def has_password(user: User) -> bool:
    """False until the person has set a password (from a link an admin gave them)."""
    return accounts.has_usable_password(user.password_hash)


def email_problem(email: str) -> str | None:
    """Why an address cannot be used ("email is blank", …), or None when it is fine."""
    if not email:
        return "email is blank"
    if len(email) > MAX_EMAIL or not EMAIL.match(email) or email.lower().endswith(".invalid"):
        return f'email "{email[:80]}" is not a valid email address'
    return None


def _clean_email(email: str, user_id: int | None = None) -> str:
    email = (email or "").strip().lower()
    problem = email_problem(email)
    if problem:
        raise PersonError("email", "Enter an email address" if not email else "E" + problem[1:])
    taken = select(User.id).where(User.email == email)
    if user_id is not None:
        taken = taken.where(User.id != user_id)
    if db.session.scalar(taken) is not None:
        raise PersonError("email", f'Email "{email}" already belongs to someone on the site')
    return email


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise PersonError("name", "Enter the person's name")
    if len(name) > MAX_NAME:
        raise PersonError("name", f"The name must be {MAX_NAME} characters or fewer")
    return name


def _clean_roles(roles: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(role.strip().lower() for role in roles))
    if not chosen:
        raise PersonError("roles", "Choose at least one role")
    unknown = [role for role in chosen if role not in ROLES]
    if unknown:
        raise PersonError("roles", f'Role "{unknown[0][:40]}" is not one of {", ".join(ROLES)}')
    return chosen


def _clean_team(team_id: int | None) -> int | None:
    if not team_id:
        return None
    if get_team(team_id) is None:
        raise PersonError("team", "Choose a team from the list")
    return team_id


def _level(value: str | None) -> str | None:
    try:
        return clean_level(value)
    except TeamError as error:
        raise PersonError("expected_level", str(error)) from None


def _living(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no person {user_id}")
    if user.erased_at is not None:
        raise PersonError("", "This person's details have been erased: nothing about them can be changed")
    return user


def _flush_person() -> None:
    try:
        db.session.flush()
    except IntegrityError:  # writing() rolls back
        raise PersonError("email", "That email address already belongs to someone on the site") from None


@writes
def create_person(
    actor_id: int,
    name: str,
    email: str,
    roles: Iterable[str],
    team_id: int | None = None,
    expected_level: str | None = None,
) -> User:
    """Add a person with no usable password yet (they set one from a link); audited as user.created."""
    user = User(
        name=_clean_name(name),
        email=_clean_email(email),
        password_hash=unusable_password(),
        team_id=_clean_team(team_id),
        expected_level=_level(expected_level),
    )
    user.role_rows = [UserRole(role=role) for role in _clean_roles(roles)]
    db.session.add(user)
    db.session.flush()
    record_event(actor_id, "user.created", f"user:{user.id}", "roles: " + ", ".join(sorted(user.roles)))
    _flush_person()
    return user


@writes
def update_person(
    actor_id: int,
    user_id: int,
    name: str,
    email: str,
    roles: Iterable[str],
    team_id: int | None,
    expected_level: str | None,
) -> User:
    """Change a person's details; audited as user.updated, and new roles logged as user.roles_changed."""
    user = _living(user_id)
    values = {
        "name": _clean_name(name),
        "email": _clean_email(email, user.id),
        "team_id": _clean_team(team_id),
        "expected_level": _level(expected_level),
    }
    wanted = _clean_roles(roles)
    if actor_id == user.id and "admin" not in wanted:
        raise PersonError("roles", "You cannot take away your own admin role: ask another admin to do it")
    changed = [
        key.replace("_id", "").replace("_", " ") for key, v in values.items() if getattr(user, key) != v
    ]
    for key, value in values.items():
        setattr(user, key, value)
    roles_changed = set(wanted) != user.roles
    if roles_changed:
        changed.append("roles: " + ", ".join(sorted(wanted)))
        for row in [row for row in user.role_rows if row.role not in wanted]:
            user.role_rows.remove(row)
        missing = [role for role in wanted if role not in user.roles]
        user.role_rows.extend(UserRole(role=role) for role in missing)
        if "manager" not in wanted:
            db.session.execute(delete(TeamManager).where(TeamManager.user_id == user.id))
    if not changed:
        return user
    record_event(actor_id, "user.updated", f"user:{user.id}", "changed: " + "; ".join(changed))
    if roles_changed:
        roles = ",".join(sorted(wanted))
        log_event_on_commit("user.roles_changed", actor_id, subject=f"user:{user.id}", roles=roles)
    _flush_person()
    return user


@writes
def set_expected_level(actor_id: int, user_id: int, level: str | None) -> User:
    """Set only a person's own expected level; audited as user.updated."""
    user = _living(user_id)
    level = _level(level)
    if user.expected_level != level:
        user.expected_level = level
        record_event(
            actor_id, "user.updated", f"user:{user.id}", f"changed: expected level to {level or '-'}"
        )
    return user


def _end_sessions(user_id: int) -> None:
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))


@writes
def disable_person(actor_id: int, user_id: int) -> User:
    """Stop a person signing in; every session they have ends, so it bites on their next request."""
    if actor_id == user_id:
        raise PersonError("", "You cannot disable your own account")
    user = _living(user_id)
    if user.disabled_at is None:
        user.disabled_at = utcnow()
        record_event(actor_id, "user.disabled", f"user:{user.id}")
    _end_sessions(user.id)
    db.session.execute(delete(PasswordLink).where(PasswordLink.user_id == user.id))
    return user


@writes
def enable_person(actor_id: int, user_id: int) -> User:
    """Let a disabled person sign in again; audited as user.enabled."""
    user = _living(user_id)
    if user.disabled_at is not None:
        user.disabled_at = None
        record_event(actor_id, "user.enabled", f"user:{user.id}")
    return user


@writes
def create_password_link(actor_id: int | None, user_id: int) -> PasswordLinkMade:
    """A one-time link for the person to set their own password; any earlier link stops working.

    Audited as user.password_link_created (no actor: the command line); the token is returned
    once and never stored or logged.
    """
    user = _living(user_id)
    if user.disabled_at is not None:
        raise PersonError("", "This person is disabled: enable them first, then make a link")
    token, expires_at = passwords.make_password_link(user.id)
    record_event(actor_id, "user.password_link_created", f"user:{user.id}")  # logged once committed
    return PasswordLinkMade(token, expires_at)


@writes
def lift_sign_in_lock(actor_id: int, scope: str, key: str) -> bool:
    """Let a paused account or address try to sign in again now; audited as sign_in.lock_lifted."""
    if scope not in (accounts.ACCOUNT, accounts.ADDRESS):
        raise PersonError("", "That is not a sign-in pause this site keeps")
    key = key.strip().lower()[:254] if scope == accounts.ACCOUNT else key.strip()[:64]
    if not accounts.clear_sign_in_lock(scope, key):
        return False
    subject = f"address:{key}"
    if scope == accounts.ACCOUNT:
        user_id = db.session.scalar(select(User.id).where(User.email == key))
        subject = f"user:{user_id}" if user_id is not None else "account:not-on-the-site"
    record_event(actor_id, "sign_in.lock_lifted", subject, f"scope={scope}")  # logged once committed
    return True


@writes
def erase_person(actor_id: int | None, user_id: int) -> None:
    """Erase a person: what personal_data.HOLDINGS says to delete is, records kept under an anonymous name."""
    if actor_id == user_id:
        raise PersonError("", "You cannot erase your own account: ask another admin to do it")
    user = _living(user_id)
    insight_totals.forget_learner(user_id)  # out of the running totals before their rows go
    for holding in personal_data.HOLDINGS:  # sign-in counts go by email: deleted before it is replaced
        if holding.erase == personal_data.DELETE:
            db.session.execute(delete(holding.model).where(holding.about(user)))
    db.session.expire(user, ["role_rows"])  # deleted above
    now = utcnow()
    user.name = f"Erased person {user.id}"
    user.email = f"erased-{user.id}@erased.invalid"
    user.password_hash = unusable_password()
    user.team_id = user.expected_level = None
    user.erased_at = now
    user.disabled_at = user.disabled_at or now
    record_event(actor_id, "user.erased", f"user:{user.id}", "private data deleted; records anonymised")


def find_people(search: str = "", page: int = 1, per_page: int = 50) -> PeoplePage:
    """People whose name or email contains the search words, by name, a page at a time."""
    query = select(User, Team.name.label("team_name")).outerjoin(Team, Team.id == User.team_id)
    count = select(func.count()).select_from(User)
    term = " ".join(search.split()).lower()[:200]
    if term:
        match = or_(
            func.lower(User.name).contains(term, autoescape=True), User.email.contains(term, autoescape=True)
        )
        query, count = query.where(match), count.where(match)
    total = db.session.scalar(count) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        query.order_by(func.lower(User.name), User.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return PeoplePage([(row.User, row.team_name) for row in rows], total, page, pages)


def get_person(user_id: int) -> User | None:
    """The person with this id (erased people included), or None."""
    return db.session.get(User, user_id)


def people_with_role(role: str) -> list[User]:
    """Everyone not erased who holds the role, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.erased_at.is_(None))
            .order_by(func.lower(User.name), User.id)
        )
    )


def people_by_email(emails: Iterable[str]) -> dict[str, User]:
    """The people with these e-mail addresses, by address (addresses nobody has are left out)."""
    wanted = list(dict.fromkeys(emails))
    if not wanted:
        return {}
    return {user.email: user for user in db.session.scalars(select(User).where(User.email.in_(wanted)))}


def names_of(user_ids: Iterable[int]) -> dict[int, str]:
    """People's names by id, for showing who did what."""
    ids = set(user_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
