"""Importing people from a CSV file: every row checked first, then all added in one transaction."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tilearn.database import writes
from tilearn.extensions import db
from tilearn.models import ROLES, Team, User, UserRole
from tilearn.services.audit import record_event
from tilearn.services.organisation import current_scheme
from tilearn.services.passwords import make_password_link
from tilearn.services.people import MAX_NAME, email_problem, unusable_password

#: the largest import accepted; bigger files are refused with a message, before any row is read
MAX_IMPORT_CHARS = 200_000
IMPORT_COLUMNS = ("name", "email", "team", "role", "expected level")


class ImportRejected(ValueError):
    """A CSV import with problems; nothing was imported. ``problems`` lists every one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the file")
        self.problems = problems


@dataclass(frozen=True)
class ImportedPerson:
    """Someone an import added, with the one-time link to set their password (shown once, never stored)."""

    user_id: int
    name: str
    email: str
    link_token: str
    link_expires_at: datetime


@dataclass(frozen=True)
class ImportRow:
    """One checked row of an import file."""

    line: int
    name: str
    email: str
    team: str
    roles: tuple[str, ...]
    expected_level: str | None


def decode_csv(data: bytes) -> str:
    """An uploaded file as text: UTF-8, with or without a byte order mark; size-capped."""
    if len(data) > MAX_IMPORT_CHARS * 4:
        raise ImportRejected([_too_large()])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = (
            "The file is not UTF-8 text. In your spreadsheet, save it as \u201cCSV UTF-8\u201d and try again"
        )
        raise ImportRejected([message]) from None


def _too_large() -> str:
    return f"The file is too large: at most {MAX_IMPORT_CHARS:,} characters. Split it into smaller files"


def _header(cells: list[str]) -> tuple[list[str], list[str]]:
    names = [" ".join(cell.replace("_", " ").split()).lower() for cell in cells]
    known = ", ".join(IMPORT_COLUMNS)
    problems = [f'line 1: column "{n[:40]}" is not one of {known}' for n in names if n not in IMPORT_COLUMNS]
    missing = ", ".join(column for column in IMPORT_COLUMNS if column not in names)
    if missing:
        problems.append(f"line 1: the first line must name the columns {known} (missing: {missing})")
    return names, problems


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) for every non-blank record; quoted values may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    last = 0
    try:
        for cells in reader:
            start, last = last + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells
    except csv.Error as error:
        raise ImportRejected([f"line {reader.line_num}: {error}"]) from None


def _check_row(line: int, values: dict[str, str], levels: dict[str, str]) -> tuple[ImportRow, list[str]]:
    name, email = " ".join(values["name"].split()), values["email"].lower()
    roles = tuple(dict.fromkeys(r for r in re.split(r"[;,\s]+", values["role"].lower()) if r)) or ("learner",)
    team, level = " ".join(values["team"].split()), values["expected level"]
    problems = ["name is blank"] if not name else []
    problems += [
        f"{key} is longer than {MAX_NAME} characters"
        for key in ("name", "team")
        if len(values[key]) > MAX_NAME
    ]
    if problem := email_problem(email):
        problems.append(problem)
    problems += [f'role "{r[:40]}" is not one of {", ".join(ROLES)}' for r in roles if r not in ROLES]
    if level and level.lower() not in levels:
        keys = ", ".join(dict.fromkeys(levels.values()))
        problems.append(f'expected level "{level[:60]}" is not one of {keys} (or blank)')
    return ImportRow(line, name, email, team, roles, levels.get(level.lower())), problems


def read_people_csv(text: str) -> list[ImportRow]:
    """Every row of an import checked; raises ImportRejected listing every problem by line."""
    text = text.removeprefix("\ufeff")
    if len(text) > MAX_IMPORT_CHARS:
        raise ImportRejected([_too_large()])
    records = _records(text)
    first = next(records, None)
    names, header_problems = _header(first[1] if first else [])
    if header_problems:
        raise ImportRejected(header_problems)
    levels = {lv.key.lower(): lv.key for lv in current_scheme().levels}
    levels |= {lv.name.lower(): lv.key for lv in current_scheme().levels}
    rows: list[ImportRow] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, cells in records:
        while len(cells) > len(names) and not cells[-1].strip():
            cells = cells[:-1]  # spreadsheets sometimes add empty columns at the end
        if len(cells) != len(names):
            problems.append((line, f"has {len(cells)} values; expected {len(names)} ({', '.join(names)})"))
            continue
        row, found = _check_row(line, {n: c.strip() for n, c in zip(names, cells, strict=True)}, levels)
        if not email_problem(row.email):
            if row.email in seen:
                found.append(f'email "{row.email}" is also on line {seen[row.email]}')
            seen.setdefault(row.email, line)
        problems += [(line, message) for message in found]
        rows.append(row)
    problems += _existing_emails(seen)
    if problems:
        raise ImportRejected(
            [f"line {line}: {message}" for line, message in sorted(problems, key=lambda p: p[0])]
        )
    if not rows:
        raise ImportRejected(["The file has a header row but no people in it"])
    return rows


def _existing_emails(seen: dict[str, int]) -> list[tuple[int, str]]:
    emails, taken = list(seen), set[str]()
    for start in range(0, len(emails), 500):
        taken.update(
            db.session.scalars(select(User.email).where(User.email.in_(emails[start : start + 500])))
        )
    return [(seen[email], f'email "{email}" already belongs to someone on the site') for email in taken]


@writes
def import_people_csv(actor_id: int, text: str) -> list[ImportedPerson]:
    """Add everyone in a CSV (name, email, team, role, expected level) in one transaction.

    Every row is checked first; if any is bad, ImportRejected lists them all and nothing is added.
    Unknown teams are created. Each new person gets a one-time link to set their own password:
    the tokens are returned (for the admin to hand over) and only their hashes are kept.
    """
    rows = read_people_csv(text)
    teams = {team.name.lower(): team for team in db.session.scalars(select(Team))}
    new_teams: list[Team] = []
    users: list[User] = []
    for row in rows:
        if row.team and row.team.lower() not in teams:
            teams[row.team.lower()] = Team(name=row.team)
            new_teams.append(teams[row.team.lower()])
    try:
        db.session.add_all(new_teams)
        db.session.flush()
        for new_team in new_teams:
            record_event(actor_id, "team.created", f"team:{new_team.id}", "added by a people import")
        for row in rows:
            team = teams.get(row.team.lower())
            user = User(
                name=row.name,
                email=row.email,
                password_hash=unusable_password(),
                team_id=team.id if team else None,
                expected_level=row.expected_level,
            )
            user.role_rows = [UserRole(role=role) for role in row.roles]
            db.session.add(user)
            users.append(user)
        db.session.flush()
        added = [
            ImportedPerson(user.id, user.name, user.email, *make_password_link(user.id)) for user in users
        ]
        detail = f"added {len(rows)} people and {len(new_teams)} new teams"
        record_event(actor_id, "users.imported", "users", detail, count=len(rows))
        db.session.flush()
    except IntegrityError:  # writing() rolls back
        raise ImportRejected(
            ["Someone added one of these people or teams at the same moment. Nothing was imported: try again"]
        ) from None
    return added
