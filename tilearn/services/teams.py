"""Teams: adding and renaming them, the level their members are expected to reach, and their managers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from tilearn.database import writes
from tilearn.extensions import db
from tilearn.models import Team, TeamManager, User, UserRole
from tilearn.services.audit import record_event
from tilearn.services.organisation import current_scheme

MAX_NAME = 200


class TeamError(ValueError):
    """A change to a team that cannot be made; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class TeamSummary:
    """A team with how many people are in it and who manages it, for the teams list."""

    team: Team
    members: int
    managers: list[str]


def clean_level(value: str | None, field: str = "expected_level") -> str | None:
    """A level key of the scheme in force, or None for blank; raises TeamError otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    scheme = current_scheme()
    if scheme.level(value) is None:
        keys = ", ".join(level.key for level in scheme.levels)
        raise TeamError(field, f'Expected level "{value[:60]}" is not one of {keys}')
    return value


def _clean_name(name: str, team_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise TeamError("name", "Enter the team's name")
    if len(name) > MAX_NAME:
        raise TeamError("name", f"The team's name must be {MAX_NAME} characters or fewer")
    clash = select(Team.id).where(func.lower(Team.name) == name.lower())
    if team_id is not None:
        clash = clash.where(Team.id != team_id)
    if db.session.scalar(clash) is not None:
        raise TeamError("name", f'There is already a team called "{name}"')
    return name


def _flush_team() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        raise TeamError("name", "There is already a team with that name") from None  # writing() rolls back


@writes
def create_team(actor_id: int, name: str, expected_level: str | None = None) -> Team:
    """Add a team; audited as team.created."""
    team = Team(name=_clean_name(name), expected_level=clean_level(expected_level))
    db.session.add(team)
    db.session.flush()
    record_event(actor_id, "team.created", f"team:{team.id}", f"expected level: {team.expected_level or '-'}")
    _flush_team()
    return team


@writes
def update_team(actor_id: int, team_id: int, name: str, expected_level: str | None) -> Team:
    """Rename a team or change its expected level; audited as team.updated when anything changed."""
    team = get_team(team_id)
    if team is None:
        raise LookupError(f"no team {team_id}")
    name, level = _clean_name(name, team.id), clean_level(expected_level)
    changed = [
        label
        for label, old, new in (("name", team.name, name), ("expected level", team.expected_level, level))
        if old != new
    ]
    if not changed:
        return team
    team.name, team.expected_level = name, level
    record_event(actor_id, "team.updated", f"team:{team.id}", "changed: " + ", ".join(changed))
    _flush_team()
    return team


@writes
def set_expected_level(actor_id: int, team_id: int, level: str | None) -> Team:
    """Set only a team's expected level (as a training-needs assessment does); audited as team.updated."""
    team = get_team(team_id)
    if team is None:
        raise LookupError(f"no team {team_id}")
    level = clean_level(level)
    if team.expected_level != level:
        team.expected_level = level
        record_event(
            actor_id, "team.updated", f"team:{team.id}", f"changed: expected level to {level or '-'}"
        )
    return team


@writes
def set_team_managers(actor_id: int, team_id: int, user_ids: list[int] | set[int]) -> None:
    """Make exactly these people (each holding the manager role) the team's managers.

    A manager taken off loses access on their next request: it is a row delete, nothing is cached.
    """
    team = get_team(team_id)
    if team is None:
        raise LookupError(f"no team {team_id}")
    wanted = {int(user_id) for user_id in user_ids}
    eligible = set(
        db.session.scalars(
            select(UserRole.user_id)
            .join(User, User.id == UserRole.user_id)
            .where(UserRole.role == "manager", UserRole.user_id.in_(wanted), User.erased_at.is_(None))
        )
    )
    if wanted - eligible:
        raise TeamError("managers", "Only people who hold the manager role can manage a team")
    current = set(managers_of(team.id))
    if wanted == current:
        return
    if current - wanted:
        db.session.execute(
            delete(TeamManager).where(
                TeamManager.team_id == team.id, TeamManager.user_id.in_(current - wanted)
            )
        )
    db.session.add_all(TeamManager(team_id=team.id, user_id=user_id) for user_id in wanted - current)
    listed = ", ".join(f"user:{user_id}" for user_id in sorted(wanted)) or "none"
    record_event(actor_id, "team.managers_set", f"team:{team.id}", f"managers: {listed}", count=len(wanted))


def get_team(team_id: int) -> Team | None:
    """The team with this id, or None."""
    return db.session.get(Team, team_id)


def all_teams() -> list[Team]:
    """Every team, by name."""
    return list(db.session.scalars(select(Team).order_by(func.lower(Team.name), Team.id)))


def managers_of(team_id: int) -> list[int]:
    """The ids of the people who manage a team."""
    return list(db.session.scalars(select(TeamManager.user_id).where(TeamManager.team_id == team_id)))


def teams_managed_by(user_id: int) -> list[Team]:
    """The teams a person manages, by name; read afresh on every call."""
    return list(
        db.session.scalars(
            select(Team)
            .join(TeamManager, TeamManager.team_id == Team.id)
            .where(TeamManager.user_id == user_id)
            .order_by(func.lower(Team.name), Team.id)
        )
    )


def team_summaries() -> list[TeamSummary]:
    """Every team with its number of members and its managers' names (three queries in all)."""
    teams = all_teams()
    members = dict(
        db.session.execute(
            select(User.team_id, func.count())
            .where(User.team_id.is_not(None), User.erased_at.is_(None))
            .group_by(User.team_id)
        ).all()
    )
    managers: dict[int, list[str]] = {}
    for team_id, name in db.session.execute(
        select(TeamManager.team_id, User.name)
        .join(User, User.id == TeamManager.user_id)
        .order_by(func.lower(User.name))
    ):
        managers.setdefault(team_id, []).append(name)
    return [TeamSummary(team, members.get(team.id, 0), managers.get(team.id, [])) for team in teams]
