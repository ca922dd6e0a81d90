"""Manager reports: who in my teams has completed, started or not started what, and who is due.

Scoping is done inside the database query (a join on team_managers), so a manager
can never load a learner outside their teams. The report reads only the learner, their
team and `module_progress` (whether a module was started, and the completion record that
currently counts): never pauses, skips, reflections or answers. Statuses are classified
and counted in SQL by one CASE, built from the rules in statuses.py; only the page shown is built
cell by cell.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Case, ColumnElement, Row, Select, and_, case, false, func, or_, select

from tilearn.engine import Library, Module
from tilearn.engine.levels import Level, LevelScheme
from tilearn.extensions import db
from tilearn.models import ModuleProgress, Team, TeamManager, User
from tilearn.models.types import utcnow
from tilearn.services.statuses import (
    CURRENT,
    DUE_SOON,
    DUE_WINDOW,
    MODULE_STATUSES,
    NOT_STARTED,
    due_band,
    status_case,
)

PAGE_SIZE = 50
EXPECTED = func.coalesce(User.expected_level, Team.expected_level)

# The counts query adds, for each started module, 1 << (BITS × its status's place in STARTED),
# so one SUM carries a learner's five counts (SQLite would evaluate five SUM(CASE …) five
# times over; this halves the query). Not started is what is left of the expected modules.
STARTED = tuple(status for status in MODULE_STATUSES if status != NOT_STARTED)
BITS = 12
MOST_MODULES = (1 << BITS) - 1  #: more expected modules than this would overflow a count
TALLY = {NOT_STARTED: 0} | {status: 1 << (BITS * place) for place, status in enumerate(STARTED)}


@dataclass(frozen=True)
class Filters:
    """What the manager asked to see."""

    team_id: int | None = None
    level: str | None = None  #: a level key of the scheme
    status: str | None = None  #: one of statuses.MODULE_STATUSES


NO_FILTERS = Filters()


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
        return due_band(self.due_in_days) if self.status == DUE_SOON else None


@dataclass
class LearnerRow:
    """One learner against the modules of their expected level."""

    user_id: int
    name: str
    email: str
    team_id: int | None
    team: str | None
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


def scoped_learners(
    manager_id: int, see_all: bool, filters: Filters = NO_FILTERS, teamless: bool = False
) -> Select:
    """Active learners in the teams this person manages (every team for an admin).

    ``teamless`` also lets an admin reach people in no team (for one learner's page).
    """
    query = (
        select(
            User.id,
            User.name,
            User.email,
            Team.id.label("team_id"),
            Team.name.label("team"),
            EXPECTED.label("expected"),
        )
        .join(Team, Team.id == User.team_id, isouter=see_all and teamless)
        .where(User.erased_at.is_(None), User.disabled_at.is_(None))
    )
    if not see_all:
        query = query.join(
            TeamManager, and_(TeamManager.team_id == Team.id, TeamManager.user_id == manager_id)
        )
    if filters.team_id is not None:
        query = query.where(Team.id == filters.team_id)
    return query


class Expectations:
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
            if len(modules) > MOST_MODULES:
                raise ValueError(f"level {level_key} expects more than {MOST_MODULES} modules")
            self._cache[level_key] = (level, modules)
        return self._cache[level_key]

    @functools.cached_property
    def modules(self) -> dict[str, Module]:
        """Every module any level asks for, by id (worked out once per report)."""
        return {m.id: m for level in self.scheme.levels for m in self(level.key)[1]}

    def progress_wanted(self) -> ColumnElement[bool]:
        """SQL join condition: the learner's progress in any module some level asks for.

        Whether their own level asks for it is left to status(): in the join, that test
        misleads PostgreSQL's planner into reading every progress row of every learner.
        """
        ids = sorted(self.modules)
        return and_(ModuleProgress.user_id == User.id, ModuleProgress.module_id.in_(ids) if ids else false())

    def _for_their_level(self) -> ColumnElement[bool]:
        """SQL: the progress row is for a module the learner's own expected level asks for."""
        wanted = [
            and_(EXPECTED == level.key, ModuleProgress.module_id.in_([m.id for m in modules]))
            for level in self.scheme.levels
            if (modules := self(level.key)[1])
        ]
        return or_(*wanted) if wanted else false()

    def status(self, now: datetime, values: dict[str, Any]) -> Case[Any]:
        """SQL: one CASE giving a progress row's status, as values[status]."""
        facts = {
            "missing": ModuleProgress.current_record_id.is_(None),
            "expired": ModuleProgress.current_expires_at <= now,
            "due": ModuleProgress.current_expires_at <= now + DUE_WINDOW,
        }
        # Holders of a version that a later material change outdated are recommended a refresher.
        stale = {m: labels for m in sorted(self.modules) if (labels := self.library.stale_labels(m))}
        if stale:
            facts["changed"] = or_(
                *(
                    and_(
                        ModuleProgress.module_id == module_id,
                        ModuleProgress.current_version.in_(sorted(labels)),
                    )
                    for module_id, labels in stale.items()
                )
            )
        # No progress row (the outer join found none), or a module beyond the learner's own level
        # (the test is NULL when they have none): not started, which the counts leave out.
        return case(
            (ModuleProgress.id.is_(None), values[NOT_STARTED]),
            (self._for_their_level(), status_case(facts, values)),
            else_=values[NOT_STARTED],
        )


def with_progress(scoped: Select, expect: Expectations, now: datetime) -> Select:
    """Each learner with their started, expected modules: status and dates (one row if none)."""
    status = expect.status(now, {s: s for s in MODULE_STATUSES}).label("status")
    return scoped.add_columns(ModuleProgress.module_id, status).outerjoin(
        ModuleProgress, expect.progress_wanted()
    )


def _counts(scoped: Select, expect: Expectations, now: datetime) -> Select:
    """One row per learner in display order: id, expected level, and the tally of their statuses."""
    tally = func.sum(expect.status(now, TALLY))
    joined = scoped.with_only_columns(User.id, EXPECTED.label("expected"), tally.label("tally"))
    joined = joined.outerjoin(ModuleProgress, expect.progress_wanted())
    return joined.group_by(Team.id, User.id).order_by(Team.name, User.name, User.id)


def _untally(tally: int | None, expected: int) -> Counter:
    """A learner's counts by status from the packed tally and how many modules they are expected to do."""
    tally = int(tally or 0)
    counts = Counter(
        {status: (tally >> (BITS * place)) & MOST_MODULES for place, status in enumerate(STARTED)}
    )
    counts[NOT_STARTED] = expected - sum(counts.values())
    return +counts  # drops the zeros


def aware(value: datetime | str | None) -> datetime | None:
    """A timestamp as timezone-aware UTC, whether the driver gave a string, naive or aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _learner_rows(scoped: Select, expect: Expectations, ids: list[int], now: datetime) -> list[LearnerRow]:
    """Full rows with dates and due bands for these learners (one query), in the order of ids."""
    query = with_progress(scoped.where(User.id.in_(ids)), expect, now).add_columns(
        ModuleProgress.current_issued_at, ModuleProgress.current_expires_at
    )
    modules, rows = expect.modules, {}
    started: dict[tuple[int, str], Cell] = {}
    for found in db.session.execute(query):
        if found.id not in rows:
            level = expect.scheme.level(found.expected) if found.expected else None
            rows[found.id] = LearnerRow(found.id, found.name, found.email, found.team_id, found.team, level)
        if found.module_id is not None:
            issued, expires = aware(found.current_issued_at), aware(found.current_expires_at)
            days = (expires - now).days if expires is not None else None
            module = modules[found.module_id]
            started[found.id, found.module_id] = Cell(module, found.status, issued, expires, days)
    for row in rows.values():
        expected = expect(row.level.key if row.level else None)[1]
        row.cells = [started.get((row.user_id, m.id)) or Cell(m, NOT_STARTED) for m in expected]
    return [rows[user_id] for user_id in ids if user_id in rows]


def team_report(
    manager_id: int,
    see_all: bool,
    library: Library,
    scheme: LevelScheme,
    filters: Filters = NO_FILTERS,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Report:
    """Counts for every learner in scope, full rows for one page: two queries, whatever the team size."""
    scoped = scoped_learners(manager_id, see_all, filters)
    expect, now = Expectations(library, scheme, filters.level), utcnow()
    totals: Counter[str] = Counter()
    complete, shown = 0, list[int]()
    for learner in db.session.connection().execute(_counts(scoped, expect, now)):  # Core rows
        expected = len(expect(learner.expected)[1])
        if expect.only is not None and not expected:
            continue  # the level asked for is not one this learner is expected to reach
        counts = _untally(learner.tally, expected)
        if filters.status is not None and not counts[filters.status]:
            continue
        totals.update(counts)
        complete += bool(expected) and sum(counts[s] for s in CURRENT) == expected
        shown.append(learner.id)
    pages = max(1, -(-len(shown) // page_size))
    page = min(max(1, page), pages)
    rows = _learner_rows(scoped, expect, shown[(page - 1) * page_size : page * page_size], now)
    return Report(rows, totals, len(shown), complete, page, pages)


def learner_in_scope(manager_id: int, see_all: bool, user_id: int) -> Row[Any] | None:
    """The learner's row if they are in one of this manager's teams, else None (→ 404)."""
    scoped = scoped_learners(manager_id, see_all, teamless=True)
    return db.session.execute(scoped.where(User.id == user_id)).first()


def learner_report(
    manager_id: int, see_all: bool, user_id: int, library: Library, scheme: LevelScheme
) -> LearnerRow | None:
    """One learner's statuses and dates, only if they are in the manager's scope."""
    rows = _learner_rows(
        scoped_learners(manager_id, see_all, teamless=True),
        Expectations(library, scheme, None),
        [user_id],
        utcnow(),
    )
    return rows[0] if rows else None
