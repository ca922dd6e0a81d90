"""Manager reports: who in my teams has completed, started or not started what, and who is due.

Scoping is done inside the database query (a join on team_managers), so a manager
can never load a learner outside their teams. The report reads only completion
records and whether a module was started: never pauses, skips, reflections or answers.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, func, select

from tilearn.engine import Library, Module
from tilearn.engine.levels import Level, LevelScheme
from tilearn.extensions import db
from tilearn.models import CompletionRecord, ModuleProgress, Team, TeamManager, User
from tilearn.models.types import utcnow
from tilearn.services.certificates import DUE_WINDOW

NOT_STARTED, IN_PROGRESS, COMPLETED, DUE_SOON, EXPIRED, RECOMMENDED = (
    "not started",
    "in progress",
    "completed",
    "due soon",
    "expired",
    "refresher recommended",
)
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETED, DUE_SOON, EXPIRED, RECOMMENDED)
#: statuses that count as holding a current completion
CURRENT = frozenset({COMPLETED, DUE_SOON, RECOMMENDED})


@dataclass(frozen=True)
class Filters:
    """What the manager asked to see."""

    team_id: int | None = None
    level: str | None = None  #: a level key of the scheme
    status: str | None = None  #: one of STATUSES


@dataclass(frozen=True)
class Cell:
    """One learner and one module."""

    module: Module
    status: str
    completed_on: datetime | None = None
    expires_on: datetime | None = None
    due_in_days: int | None = None

    @property
    def due_band(self) -> int | None:
        """30, 60 or 90 for a record due soon."""
        if self.status != DUE_SOON or self.due_in_days is None:
            return None
        return next(band for band in (30, 60, 90) if self.due_in_days <= band)


@dataclass
class LearnerRow:
    """One learner against the modules of their expected level."""

    user_id: int
    name: str
    email: str
    team_id: int
    team: str
    level: Level | None
    cells: list[Cell] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many of this learner's modules are in a status."""
        return sum(1 for cell in self.cells if cell.status == status)

    @property
    def current(self) -> int:
        """Modules with a current completion."""
        return sum(1 for cell in self.cells if cell.status in CURRENT)


@dataclass
class Report:
    """Every learner in scope and the totals by status."""

    rows: list[LearnerRow]
    totals: Counter

    @property
    def learners_complete(self) -> int:
        """Learners whose every expected module has a current completion."""
        return sum(1 for row in self.rows if row.cells and row.current == len(row.cells))


def _scoped(manager_id: int, see_all: bool) -> Select:
    """Active learners in the teams this person manages (every team for an admin)."""
    query = (
        select(
            User.id,
            User.name,
            User.email,
            Team.id.label("team_id"),
            Team.name.label("team"),
            func.coalesce(User.expected_level, Team.expected_level).label("expected"),
        )
        .join(Team, Team.id == User.team_id)
        .where(User.erased_at.is_(None), User.disabled_at.is_(None))
    )
    if not see_all:
        query = query.join(
            TeamManager, and_(TeamManager.team_id == Team.id, TeamManager.user_id == manager_id)
        )
    return query


def _records_and_progress(ids_query: Select) -> tuple[dict, set]:
    """Latest un-revoked record per (learner, module), and which modules each learner has started."""
    ranked = (
        select(
            CompletionRecord.user_id,
            CompletionRecord.module_id,
            CompletionRecord.issued_at,
            CompletionRecord.expires_at,
            CompletionRecord.module_version,
            func.row_number()
            .over(
                partition_by=(CompletionRecord.user_id, CompletionRecord.module_id),
                order_by=CompletionRecord.cycle.desc(),
            )
            .label("newest"),
        )
        .where(CompletionRecord.revoked_at.is_(None), CompletionRecord.user_id.in_(ids_query))
        .subquery()
    )
    records = {
        (row.user_id, row.module_id): row
        for row in db.session.execute(select(ranked).where(ranked.c.newest == 1))
    }
    progress = select(ModuleProgress.user_id, ModuleProgress.module_id).where(
        ModuleProgress.user_id.in_(ids_query)
    )
    started = {(row.user_id, row.module_id) for row in db.session.execute(progress)}
    return records, started


def _cell(module: Module, record, started: bool, now: datetime) -> Cell:
    if record is None:
        return Cell(module, IN_PROGRESS if started else NOT_STARTED)
    expires = record.expires_at
    if expires is not None and expires.tzinfo is None:  # SQLite returns naive UTC from raw selects
        expires = expires.replace(tzinfo=now.tzinfo)
    issued = record.issued_at if record.issued_at.tzinfo else record.issued_at.replace(tzinfo=now.tzinfo)
    days = (expires - now).days if expires else None
    if expires is not None and expires <= now:
        status = EXPIRED
    elif expires is not None and expires - now <= DUE_WINDOW:
        status = DUE_SOON
    elif module.material_change and module.version != record.module_version:
        status = RECOMMENDED
    else:
        status = COMPLETED
    return Cell(module, status, issued, expires, days)


class _Expectations:
    """Which modules each expected level asks for (the levels build on each other)."""

    def __init__(self, library: Library, scheme: LevelScheme, only_level: str | None) -> None:
        self.scheme = scheme
        self.library = library
        self.only = scheme.level(only_level) if only_level else None
        self._cache: dict[str | None, tuple[Level | None, list[Module]]] = {}

    def __call__(self, level_key: str | None) -> tuple[Level | None, list[Module]]:
        if level_key not in self._cache:
            level = self.scheme.level(level_key) if level_key else None
            modules = self.library.modules_up_to(level, self.scheme) if level else []
            if self.only is not None:
                too_low = level is None or level.number < self.only.number
                modules = [] if too_low else [m for m in modules if m.level in self.only.module_levels]
            self._cache[level_key] = (level, modules)
        return self._cache[level_key]


def _rows(
    learners: Iterable, records: dict, started: set, expect: _Expectations, filters: Filters, now: datetime
) -> list[LearnerRow]:
    rows = []
    for learner in learners:
        level, modules = expect(learner.expected)
        if expect.only is not None and not modules:
            continue
        row = LearnerRow(learner.id, learner.name, learner.email, learner.team_id, learner.team, level)
        row.cells = [
            _cell(module, records.get((learner.id, module.id)), (learner.id, module.id) in started, now)
            for module in modules
        ]
        if filters.status is None or row.count(filters.status):
            rows.append(row)
    return rows


def team_report(
    manager_id: int, see_all: bool, library: Library, scheme: LevelScheme, filters: Filters = Filters()
) -> Report:
    """The report for every learner in scope: three queries, whatever the team size."""
    scoped = _scoped(manager_id, see_all)
    if filters.team_id is not None:
        scoped = scoped.where(Team.id == filters.team_id)
    learners = db.session.execute(scoped.order_by(Team.name, User.name, User.id)).all()
    ids = scoped.with_only_columns(User.id)
    records, started = _records_and_progress(ids)
    rows = _rows(learners, records, started, _Expectations(library, scheme, filters.level), filters, utcnow())
    totals = Counter(cell.status for row in rows for cell in row.cells)
    return Report(rows, totals)


def iter_report_rows(
    manager_id: int,
    see_all: bool,
    library: Library,
    scheme: LevelScheme,
    filters: Filters = Filters(),
    chunk: int = 1000,
) -> Iterator[LearnerRow]:
    """The same rows, a chunk of learners at a time (keyset by id), in constant memory."""
    expect = _Expectations(library, scheme, filters.level)
    last_id = 0
    now = utcnow()
    while True:
        scoped = _scoped(manager_id, see_all).where(User.id > last_id)
        if filters.team_id is not None:
            scoped = scoped.where(Team.id == filters.team_id)
        learners = db.session.execute(scoped.order_by(User.id).limit(chunk)).all()
        if not learners:
            return
        last_id = learners[-1].id
        records, started = _records_and_progress(
            select(User.id).where(User.id.in_([learner.id for learner in learners]))
        )
        yield from _rows(learners, records, started, expect, filters, now)
        db.session.expunge_all()


def learner_in_scope(manager_id: int, see_all: bool, user_id: int):
    """The learner's row if they are in one of this manager's teams, else None (→ 404)."""
    return db.session.execute(_scoped(manager_id, see_all).where(User.id == user_id)).first()


def learner_report(
    manager_id: int, see_all: bool, user_id: int, library: Library, scheme: LevelScheme
) -> LearnerRow | None:
    """One learner's statuses and dates, only if they are in the manager's scope."""
    learner = learner_in_scope(manager_id, see_all, user_id)
    if learner is None:
        return None
    records, started = _records_and_progress(select(User.id).where(User.id == user_id))
    rows = _rows([learner], records, started, _Expectations(library, scheme, None), Filters(), utcnow())
    return rows[0]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = (
    "learner",
    "email",
    "team",
    "expected level",
    "module id",
    "module",
    "module level",
    "status",
    "completed on",
    "refresher due",
)


def safe_cell(value: object) -> str:
    """A CSV value a spreadsheet will never run as a formula (= + - @ tab CR get a leading ')."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_lines(rows: Iterable[LearnerRow], scheme: LevelScheme) -> Iterator[str]:
    """The report as CSV text, a line at a time, one row per learner and module."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield flush()
    for row in rows:
        for cell in row.cells:
            level = scheme.level_for_module(cell.module.level)
            writer.writerow(
                [
                    safe_cell(v)
                    for v in (
                        row.name,
                        row.email,
                        row.team,
                        row.level.name if row.level else "",
                        cell.module.id,
                        cell.module.title,
                        level.name if level else cell.module.level,
                        cell.status,
                        f"{cell.completed_on:%Y-%m-%d}" if cell.completed_on else "",
                        f"{cell.expires_on:%Y-%m-%d}" if cell.expires_on else "",
                    )
                ]
            )
        yield flush()
