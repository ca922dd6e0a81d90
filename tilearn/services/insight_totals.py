"""Running totals behind trainers' insight, kept up to date as learners act.

A module's totals (each section's time histogram and retries, each question's item sums) are the
sum of every learner's *share*. When a learner reads a section, checks answers, starts a refresher
or is erased, their share is worked out again from their own rows (a few indexed queries), and only
the difference is added to the totals. So an insight page reads the totals in one query whatever the
number of learners, and they always equal counting every learner afresh (the tests check both ways).

A module whose content changes (a new content hash: new questions, new wording, new sections) is
counted afresh once, for every learner, the first time its insight is opened; until then learners'
actions on it leave the totals alone.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Integer, String, cast, delete, func, literal, select, tuple_, union_all

from tilearn.engine import Module
from tilearn.engine.insight import ItemSums
from tilearn.extensions import db
from tilearn.models import (
    InsightCount,
    InsightShare,
    InsightTotal,
    ModuleProgress,
    QuestionResult,
    QuizAttempt,
    SectionView,
)
from tilearn.models.types import utcnow
from tilearn.services.sql import insert_for, upsert

#: a total's key within a module: (measure, item, bucket)
Key = tuple[str, str, int]
#: the item sums per question, in ItemSums order
ITEM_MEASURES = ("n", "x", "t", "tt", "xt")


def is_counted(module: Module) -> bool:
    """Whether the module's totals were counted for the module as now published."""
    counted = db.session.get(InsightCount, module.id)
    return counted is not None and counted.content_hash == module.content_hash


def recount(module: Module) -> None:
    """Count the module afresh for every learner: each learner's share, then the totals from them.

    The first statement takes the count row's lock, so on PostgreSQL it waits for learners'
    transactions that are updating the totals, and what follows sees their rows.
    """
    upsert(
        InsightCount,
        ("module_id",),
        module_id=module.id,
        content_hash=module.content_hash,
        counted_at=utcnow(),
    )
    db.session.execute(delete(InsightShare).where(InsightShare.module_id == module.id))
    db.session.execute(delete(InsightTotal).where(InsightTotal.module_id == module.id))
    shares = _shares(module, None).subquery()
    columns = ["user_id", "module_id", "measure", "item", "bucket", "value"]
    db.session.execute(
        insert_for(InsightShare).from_select(
            columns,
            select(
                shares.c.user_id,
                literal(module.id, String),
                shares.c.measure,
                shares.c.item,
                shares.c.bucket,
                shares.c.value,
            ),
        )
    )
    db.session.execute(
        insert_for(InsightTotal).from_select(
            ["module_id", "measure", "item", "bucket", "value"],
            select(
                InsightShare.module_id,
                InsightShare.measure,
                InsightShare.item,
                InsightShare.bucket,
                func.sum(InsightShare.value),
            )
            .where(InsightShare.module_id == module.id)
            .group_by(InsightShare.module_id, InsightShare.measure, InsightShare.item, InsightShare.bucket),
        )
    )


def learner_acted(user_id: int, module: Module) -> None:
    """Bring the module's totals up to date with the learner's rows, adding only what changed.

    Called inside the action's transaction, after its writes. Locking the count row for share
    keeps a recount from running at the same time; the learner's progress row, which every action
    has already updated, keeps two of their own actions from interleaving.
    """
    counted = db.session.scalar(
        select(InsightCount.content_hash)
        .where(InsightCount.module_id == module.id)
        .with_for_update(read=True)
    )
    if counted != module.content_hash:
        return  # not counted yet for this version: the first insight view counts everyone
    new = _learner_share(user_id, module)
    old = {
        (row.measure, row.item, row.bucket): row.value
        for row in db.session.execute(
            select(InsightShare.measure, InsightShare.item, InsightShare.bucket, InsightShare.value).where(
                InsightShare.user_id == user_id, InsightShare.module_id == module.id
            )
        )
    }
    if new == old:
        return
    _add(module.id, {key: new.get(key, 0) - old.get(key, 0) for key in new.keys() | old.keys()})
    _replace_share(user_id, module.id, new)


def forget_learner(user_id: int) -> None:
    """Take a learner's shares out of every module's totals (they are being erased)."""
    shares = db.session.execute(
        select(
            InsightShare.module_id,
            InsightShare.measure,
            InsightShare.item,
            InsightShare.bucket,
            InsightShare.value,
        ).where(InsightShare.user_id == user_id)
    ).all()
    by_module: dict[str, dict[Key, int]] = defaultdict(dict)
    for module_id, measure, item, bucket, value in shares:
        by_module[module_id][(measure, item, bucket)] = -value
    for module_id in sorted(by_module):
        _add(module_id, by_module[module_id])
    db.session.execute(delete(InsightShare).where(InsightShare.user_id == user_id))


def totals(module_id: str) -> dict[Key, int]:
    """The module's totals, one query."""
    rows: list[Any] = list(
        db.session.execute(
            select(InsightTotal.measure, InsightTotal.item, InsightTotal.bucket, InsightTotal.value).where(
                InsightTotal.module_id == module_id, InsightTotal.value != 0
            )
        )
    )
    return {(measure, item, bucket): int(value) for measure, item, bucket, value in rows}


def section_times(found: dict[Key, int]) -> dict[str, dict[int, int]]:
    """Per section, {whole minutes: learners}, from the totals."""
    times: dict[str, dict[int, int]] = defaultdict(dict)
    for (measure, item, bucket), value in found.items():
        if measure == "minutes":
            times[item][bucket] = value
    return times


def retried(found: dict[Key, int]) -> dict[str, int]:
    """Per section, learners who checked its answers more than once in one pass, from the totals."""
    return {item: value for (measure, item, _bucket), value in found.items() if measure == "retried"}


def item_sums(found: dict[Key, int]) -> dict[str, ItemSums]:
    """Per question, the sums item_statistics needs, from the totals."""
    sums: dict[str, dict[str, int]] = defaultdict(dict)
    for (measure, item, _bucket), value in found.items():
        if measure in ITEM_MEASURES:
            sums[item][measure] = value
    return {item: ItemSums(*(parts.get(m, 0) for m in ITEM_MEASURES)) for item, parts in sums.items()}


def _add(module_id: str, changes: dict[Key, int]) -> None:
    """Add each change to its total, in key order so two learners' updates never deadlock."""
    rows = [
        {"module_id": module_id, "measure": m, "item": i, "bucket": b, "value": change}
        for (m, i, b), change in sorted(changes.items())
        if change
    ]
    if not rows:
        return
    statement = insert_for(InsightTotal)
    statement = statement.on_conflict_do_update(
        index_elements=["module_id", "measure", "item", "bucket"],
        set_={"value": InsightTotal.value + statement.excluded.value},
    )
    db.session.execute(statement, rows)


def _replace_share(user_id: int, module_id: str, share: dict[Key, int]) -> None:
    db.session.execute(
        delete(InsightShare).where(InsightShare.user_id == user_id, InsightShare.module_id == module_id)
    )
    if share:
        db.session.execute(
            insert_for(InsightShare),
            [
                {"user_id": user_id, "module_id": module_id, "measure": m, "item": i, "bucket": b, "value": v}
                for (m, i, b), v in sorted(share.items())
            ],
        )


def _learner_share(user_id: int, module: Module) -> dict[Key, int]:
    rows: list[Any] = list(db.session.execute(_shares(module, user_id)))
    share: dict[Key, int] = {}
    for _user, measure, item, bucket, value in rows:
        if value:
            key = (measure, item, int(bucket))
            share[key] = share.get(key, 0) + int(value)
    return share


def _shares(module: Module, user_id: int | None) -> Any:
    """SQL: (user_id, measure, item, bucket, value) rows, every learner's (or one learner's) share."""
    parts = [_minutes(module.id, user_id), _retries(module.id, user_id), *_items(module, user_id)]
    return union_all(*parts)


def _seconds_between(later: Any, earlier: Any) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400


def _minutes(module_id: str, user_id: int | None) -> Any:
    """Each section a learner read this pass, with their whole minutes for it.

    A learner's time for a section runs from the end of the section they finished just before it
    (or from starting the module) to reading this one to the end, so breaks count too; the median
    keeps a few long breaks from moving it much.
    """
    previous = func.lag(SectionView.seen_at).over(
        partition_by=SectionView.user_id, order_by=SectionView.seen_at
    )
    ordered = (
        select(
            SectionView.user_id.label("user_id"),
            SectionView.section_id.label("section_id"),
            SectionView.seen_at.label("seen_at"),
            func.coalesce(previous, ModuleProgress.started_at).label("since"),
        )
        .join(
            ModuleProgress,
            (ModuleProgress.user_id == SectionView.user_id)
            & (ModuleProgress.module_id == SectionView.module_id),
        )
        .where(SectionView.module_id == module_id)
    )
    if user_id is not None:
        ordered = ordered.where(SectionView.user_id == user_id)
    inner = ordered.subquery()
    whole = cast(func.round(_seconds_between(inner.c.seen_at, inner.c.since) / 60.0), Integer)
    # A clock step backwards reads as no time at all.
    minutes = (
        func.max(func.coalesce(whole, 0), 0) if _is_sqlite() else func.greatest(func.coalesce(whole, 0), 0)
    )
    return select(
        inner.c.user_id,
        literal("minutes", String).label("measure"),
        inner.c.section_id.label("item"),
        minutes.label("bucket"),
        literal(1, Integer).label("value"),
    )


def _retries(module_id: str, user_id: int | None) -> Any:
    """Each section a learner checked more than once in one pass through the module (once each)."""
    tries = (
        select(QuizAttempt.user_id, QuizAttempt.section_id)
        .where(QuizAttempt.module_id == module_id)
        .group_by(QuizAttempt.user_id, QuizAttempt.section_id, QuizAttempt.cycle)
        .having(func.count() > 1)
    )
    if user_id is not None:
        tries = tries.where(QuizAttempt.user_id == user_id)
    inner = tries.subquery()
    return select(
        inner.c.user_id,
        literal("retried", String).label("measure"),
        inner.c.section_id.label("item"),
        literal(0, Integer).label("bucket"),
        literal(1, Integer).label("value"),
    ).group_by(inner.c.user_id, inner.c.section_id)


def _items(module: Module, user_id: int | None) -> list[Any]:
    """Per learner and question as now worded: 1, x, t, t², x·t (x: right first time; t: their total)."""
    current = [(q.id, q.fingerprint) for s in module.sections for q in s.questions]
    if not current:
        return []
    firsts_query = select(
        QuestionResult.user_id.label("user_id"),
        QuestionResult.question_id.label("question_id"),
        cast(QuestionResult.first_correct, Integer).label("x"),
    ).where(
        QuestionResult.module_id == module.id,
        QuestionResult.first_correct.isnot(None),
        tuple_(QuestionResult.question_id, QuestionResult.fingerprint).in_(current),
    )
    if user_id is not None:
        firsts_query = firsts_query.where(QuestionResult.user_id == user_id)
    firsts = firsts_query.cte("firsts")
    learner_totals = (
        select(firsts.c.user_id, func.sum(firsts.c.x).label("t"))
        .group_by(firsts.c.user_id)
        .cte("learner_totals")
    )
    x, t = firsts.c.x, learner_totals.c.t
    values = {"n": literal(1, Integer), "x": x, "t": t, "tt": t * t, "xt": x * t}
    return [
        select(
            firsts.c.user_id,
            literal(measure, String).label("measure"),
            firsts.c.question_id.label("item"),
            literal(0, Integer).label("bucket"),
            cast(values[measure], Integer).label("value"),
        ).join(learner_totals, learner_totals.c.user_id == firsts.c.user_id)
        for measure in ITEM_MEASURES
    ]


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"
