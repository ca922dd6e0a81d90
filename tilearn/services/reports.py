"""Manager reports: who in my teams has completed, started or not started what, and who is due.

Scoping is done inside the database query (a join on team_managers), so a manager
can never load a learner outside their teams. The report reads only completion
records and whether a module was started: never pauses, skips, reflections or answers.
Statuses are classified and counted in SQL; only the page shown is built cell by cell.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

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
PAGE_SIZE = 50
EXPECTED = func.coalesce(User.expected_level, Team.expected_level)


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
    """One page of the learners in scope, with counts and totals over all of them."""

    rows: list[LearnerRow]  #: the learners on this page, with their cells
    totals: Counter
    learners: int = 0  #: learners in scope matching the filters
    learners_complete: int = 0  #: of those, learners whose every expected module is current
    page: int = 1
    pages: int = 1


def _scoped(manager_id: int, see_all: bool) -> Select:
    """Active learners in the teams this person manages (every team for an admin)."""
    query = (
        select(
            User.id,
            User.name,
            User.email,
            Team.id.label("team_id"),
            Team.name.label("team"),
            EXPECTED.label("expected"),
        )
        .join(Team, Team.id == User.team_id)
        .where(User.erased_at.is_(None), User.disabled_at.is_(None))
    )
    if not see_all:
        query = query.join(
            TeamManager, and_(TeamManager.team_id == Team.id, TeamManager.user_id == manager_id)
        )
    return query


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

    def modules(self) -> dict[str, Module]:
        """Every module any level asks for, by id."""
        return {m.id: m for level in self.scheme.levels for m in self(level.key)[1]}

    def table(self):
        """(level_key, module_id, position, changed_version) rows as a CTE (values() has no cache key)."""
        rows = [
            (level.key, module.id, position, module.version if module.material_change else None)
            for level in self.scheme.levels
            for position, module in enumerate(self(level.key)[1])
        ] or [(None, None, 0, None)]
        names = (
            ("level_key", String),
            ("module_id", String),
            ("position", Integer),
            ("changed_version", String),
        )
        selects = [
            select(*(literal(v, kind).label(n) for v, (n, kind) in zip(row, names, strict=True)))
            for row in rows
        ]
        table = union_all(*selects) if len(selects) > 1 else selects[0]
        return table.cte("expected_modules")


def _cells(scoped: Select, expect: _Expectations, now: datetime, outer: bool = True):
    """The scoped learners × their expected modules, each cell classified by one CASE."""
    wanted, sqlite = expect.table(), db.session.get_bind().dialect.name == "sqlite"
    record, later = aliased(CompletionRecord, name="rec"), aliased(CompletionRecord, name="later")
    newer = exists().where(
        later.user_id == record.user_id,
        later.module_id == record.module_id,
        later.revoked_at.is_(None),
        later.cycle > record.cycle,
    )
    status = case(
        (wanted.c.module_id.is_(None), None),  # a learner with no expected modules: one row, no cell
        (record.id.is_(None), case((ModuleProgress.id.is_(None), NOT_STARTED), else_=IN_PROGRESS)),
        (record.expires_at <= now, EXPIRED),
        (record.expires_at <= now + DUE_WINDOW, DUE_SOON),
        (
            and_(wanted.c.changed_version.is_not(None), record.module_version != wanted.c.changed_version),
            RECOMMENDED,
        ),
        else_=COMPLETED,
    ).label("status")
    query = scoped.add_columns(wanted.c.module_id, wanted.c.position, status).join(
        wanted, wanted.c.level_key == EXPECTED, isouter=outer
    )
    query = query.outerjoin(
        record,
        and_(
            record.user_id == User.id,
            record.module_id == wanted.c.module_id,
            record.revoked_at.is_(None),
            *([~newer] if sqlite else []),
        ),
    ).outerjoin(
        ModuleProgress,
        and_(ModuleProgress.user_id == User.id, ModuleProgress.module_id == wanted.c.module_id),
    )
    if not sqlite:  # in the join, PostgreSQL would test every record of the learner, not (user, module)
        query = query.where(or_(record.id.is_(None), ~newer))
    return query, record, wanted


def _counts(scoped: Select, expect: _Expectations, filters: Filters, now: datetime) -> Select:
    """One row per learner in display order: id, modules expected, modules current, counts by status."""
    cells = _cells(scoped, expect, now)[0].subquery("cells")
    by_status = [func.sum(case((cells.c.status == status, 1), else_=0)) for status in STATUSES]
    current = func.sum(case((cells.c.status.in_(sorted(CURRENT)), 1), else_=0))
    keys = (cells.c.id, cells.c.name, cells.c.email, cells.c.team_id, cells.c.team, cells.c.expected)
    query = (
        select(
            cells.c.id, func.count(cells.c.module_id).label("modules"), current.label("current"), *by_status
        )
        .group_by(*keys)
        .order_by(cells.c.team, cells.c.name, cells.c.id)
    )
    if expect.only is not None:
        query = query.having(func.count(cells.c.module_id) > 0)
    if filters.status is not None:
        query = query.having(by_status[STATUSES.index(filters.status)] > 0)
    return query


def _aware(value: datetime | str | None) -> datetime | None:
    """A timestamp as timezone-aware UTC, whether the driver gave a string, naive or aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _learner_rows(scoped: Select, expect: _Expectations, ids: list[int], now: datetime) -> list[LearnerRow]:
    """Full rows with dates and due bands for these learners (one query), in the order of ids."""
    query, record, wanted = _cells(scoped.where(User.id.in_(ids)), expect, now)
    query = query.add_columns(record.issued_at, record.expires_at).order_by(User.id, wanted.c.position)
    modules = expect.modules()
    rows: dict[int, LearnerRow] = {}
    for cell in db.session.execute(query):
        row = rows.get(cell.id)
        if row is None:
            level = expect.scheme.level(cell.expected) if cell.expected else None
            row = rows[cell.id] = LearnerRow(cell.id, cell.name, cell.email, cell.team_id, cell.team, level)
        if cell.module_id is None:
            continue
        expires = _aware(cell.expires_at)
        days = (expires - now).days if expires is not None else None
        row.cells.append(Cell(modules[cell.module_id], cell.status, _aware(cell.issued_at), expires, days))
    return [rows[user_id] for user_id in ids if user_id in rows]


def team_report(
    manager_id: int,
    see_all: bool,
    library: Library,
    scheme: LevelScheme,
    filters: Filters = Filters(),
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Report:
    """Counts for every learner in scope, full rows for one page: two queries, whatever the team size."""
    scoped = _scoped(manager_id, see_all)
    if filters.team_id is not None:
        scoped = scoped.where(Team.id == filters.team_id)
    expect, now = _Expectations(library, scheme, filters.level), utcnow()
    counted = db.session.connection().execute(_counts(scoped, expect, filters, now)).all()  # Core rows
    sums = [sum(column) for column in zip(*(learner[-len(STATUSES) :] for learner in counted), strict=True)]
    totals = Counter({status: count for status, count in zip(STATUSES, sums, strict=False) if count})
    complete = sum(1 for learner in counted if learner.modules and learner.current == learner.modules)
    pages = max(1, -(-len(counted) // page_size))
    page = min(max(1, page), pages)
    ids = [learner.id for learner in counted[(page - 1) * page_size : page * page_size]]
    rows = _learner_rows(scoped, expect, ids, now)
    return Report(rows, totals, len(counted), complete, page, pages)


def learner_in_scope(manager_id: int, see_all: bool, user_id: int):
    """The learner's row if they are in one of this manager's teams, else None (→ 404)."""
    return db.session.execute(_scoped(manager_id, see_all).where(User.id == user_id)).first()


def learner_report(
    manager_id: int, see_all: bool, user_id: int, library: Library, scheme: LevelScheme
) -> LearnerRow | None:
    """One learner's statuses and dates, only if they are in the manager's scope."""
    rows = _learner_rows(
        _scoped(manager_id, see_all), _Expectations(library, scheme, None), [user_id], utcnow()
    )
    return rows[0] if rows else None


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


def _day(timestamp):
    """A timestamp column as its UTC date, YYYY-MM-DD, computed by the database."""
    if db.session.get_bind().dialect.name == "sqlite":  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC
        return func.coalesce(func.substr(type_coerce(timestamp, String), 1, 10), "")
    return func.coalesce(func.to_char(func.timezone("UTC", timestamp), "YYYY-MM-DD"), "")


def _csv_text(values: Iterable[object]) -> str:
    """Values as CSV fields (formulas neutralised, quoted by csv.writer), with a trailing comma."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(value) for value in values])  # quotes , " CR and LF
    return buffer.getvalue()[:-2] + ","


def csv_export(
    manager_id: int,
    see_all: bool,
    library: Library,
    scheme: LevelScheme,
    filters: Filters = Filters(),
    chunk: int = 2000,
) -> Iterator[str]:
    """The report as CSV, one row per learner and module: a chunk of learners at a time (keyset by id).

    Each chunk is two queries: the learners, then their cells classified in SQL with the tail
    of each line (status and dates, which never need quoting) built by the database.
    """
    scoped = _scoped(manager_id, see_all)
    if filters.team_id is not None:
        scoped = scoped.where(Team.id == filters.team_id)
    expect, now = _Expectations(library, scheme, filters.level), utcnow()
    positions = {}  # (level key, position) -> the module's fields
    for level in scheme.levels:
        for position, module in enumerate(expect(level.key)[1]):
            module_level = scheme.level_for_module(module.level)
            name = module_level.name if module_level else module.level
            positions[level.key, position] = _csv_text((module.id, module.title, name))
    levels = {level.key: level.name for level in scheme.levels}
    yield "\r\n".join([_csv_text(CSV_HEADER)[:-1], ""])
    last_id = 0
    while True:
        learners = db.session.execute(scoped.where(User.id > last_id).order_by(User.id).limit(chunk)).all()
        if not learners:
            return
        prefixes = {
            row.id: (row.expected, _csv_text((row.name, row.email, row.team, levels.get(row.expected, ""))))
            for row in learners
        }
        in_chunk = scoped.where(User.id > last_id, User.id <= learners[-1].id)
        last_id = learners[-1].id
        query, record, wanted = _cells(in_chunk, expect, now, outer=False)
        status = query.selected_columns.status
        tail = status + "," + _day(record.issued_at) + "," + _day(record.expires_at)
        query = query.with_only_columns(User.id, wanted.c.position, tail).order_by(User.id, wanted.c.position)
        lines, current, pending, matched = [], None, [], True
        for user_id, position, end in db.session.connection().execute(query):  # Core: no ORM rows
            expected, prefix = prefixes[user_id]
            line = f"{prefix}{positions[expected, position]}{end}\r\n"
            if filters.status is None:
                lines.append(line)
                continue
            if user_id != current:  # a learner is exported whole if any module has the status asked for
                current, pending, matched = user_id, [], False
            if matched:
                lines.append(line)
            else:
                pending.append(line)
                if end.startswith(filters.status + ","):
                    lines += pending
                    matched, pending = True, []
        yield "".join(lines)
