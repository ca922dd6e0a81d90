"""The managers' report as CSV: one line per learner and module, streamed, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import ColumnElement, Select, String, func, type_coerce
from sqlalchemy.orm import InstrumentedAttribute

from tilearn.engine import Library
from tilearn.engine.levels import LevelScheme
from tilearn.extensions import db
from tilearn.models import ModuleProgress, User
from tilearn.models.types import utcnow
from tilearn.services.reports import NO_FILTERS, Expectations, Filters, scoped_learners
from tilearn.services.statuses import MODULE_STATUSES, NOT_STARTED

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


def _csv_text(values: Iterable[object]) -> str:
    """Values as CSV fields (formulas neutralised, quoted by csv.writer), with a trailing comma."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(value) for value in values])  # quotes , " CR and LF
    return buffer.getvalue()[:-2] + ","


def _day(timestamp: InstrumentedAttribute[datetime | None]) -> ColumnElement[str]:
    """A timestamp column as its UTC date, YYYY-MM-DD, computed by the database."""
    if db.session.get_bind().dialect.name == "sqlite":  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC
        return func.coalesce(func.substr(type_coerce(timestamp, String), 1, 10), "")
    return func.coalesce(func.to_char(func.timezone("UTC", timestamp), "YYYY-MM-DD"), "")


def csv_export(
    manager_id: int,
    see_all: bool,
    library: Library,
    scheme: LevelScheme,
    filters: Filters = NO_FILTERS,
    chunk: int = 2000,
) -> Iterator[str]:
    """The report as CSV, a chunk of learners at a time (keyset by id), two queries a chunk.

    The database classifies each started module and writes the end of its line (status and
    dates, which never need quoting); modules not started are filled in here.
    """
    scoped = scoped_learners(manager_id, see_all, filters)
    expect, now = Expectations(library, scheme, filters.level), utcnow()
    modules = {}  # module id -> its fields of the line
    for module in expect.modules.values():
        module_level = scheme.level_for_module(module.level)
        modules[module.id] = _csv_text(
            (module.id, module.title, module_level.name if module_level else module.level)
        )
    levels = {level.key: level.name for level in scheme.levels}
    status = expect.status(now, {s: s for s in MODULE_STATUSES})
    tail = (
        status + "," + _day(ModuleProgress.current_issued_at) + "," + _day(ModuleProgress.current_expires_at)
    )
    not_started = f"{NOT_STARTED},,"
    wanted = f"{filters.status}," if filters.status else ""
    yield _csv_text(CSV_HEADER)[:-1] + "\r\n"
    last_id = 0
    while True:
        learners = db.session.execute(scoped.where(User.id > last_id).order_by(User.id).limit(chunk)).all()
        if not learners:
            return
        in_chunk = scoped.where(User.id > last_id, User.id <= learners[-1].id)
        last_id = learners[-1].id
        started: dict[int, dict[str, str]] = {}
        query: Select[int, str, str] = in_chunk.with_only_columns(
            User.id, ModuleProgress.module_id, tail
        ).join(ModuleProgress, expect.progress_wanted())
        for user_id, module_id, end in db.session.connection().execute(query):  # Core: no ORM rows
            started.setdefault(user_id, {})[module_id] = end
        lines = []
        for learner in learners:
            ends = started.get(learner.id, {})
            mine = [(m.id, ends.get(m.id, not_started)) for m in expect(learner.expected)[1]]
            if wanted and not any(end.startswith(wanted) for _id, end in mine):
                continue  # a learner is exported whole if any module has the status asked for
            prefix = _csv_text((learner.name, learner.email, learner.team, levels.get(learner.expected, "")))
            lines += [f"{prefix}{modules[module_id]}{end}\r\n" for module_id, end in mine]
        yield "".join(lines)
