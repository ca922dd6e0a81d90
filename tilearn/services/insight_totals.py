"""Running totals behind trainers' insight, kept up to date as learners act.

A module's totals (each section's time histogram and retries, each question's item sums) are the
sum of every learner's *share*. When a learner reads a section, checks answers, starts a refresher
or is erased, their share is worked out again from their own rows (one indexed query), and only
the difference is added to the totals. So an insight page reads the totals in one query whatever the
number of learners, and they always equal counting every learner afresh (the tests check both ways).

A module whose content changes (a new content hash: new questions, new wording, new sections) is
counted afresh once, for every learner, the first time its insight is opened; until then learners'
actions on it leave the totals alone.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, String, bindparam, cast, delete, func, literal, select, tuple_, union_all

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
from tilearn.services.sql import built_once, insert_for, upsert

#: a total's key within a module: (measure, item, bucket)
Key = tuple[str, str, int]
#: the item sums per question, in ItemSums order
ITEM_MEASURES = ("n", "x", "t", "tt", "xt")
#: the parts of a learner's share: minutes per section read, sections retried, first answers
KINDS = ("minutes", "retried", "right")


def is_counted(module: Module) -> bool:
    """Whether the module's totals were counted for the module as now published."""
    counted = db.session.get(InsightCount, module.id)
    return counted is not None and counted.content_hash == module.content_hash


@dataclass
class Share:
    """What one learner adds to a module's totals: their minutes per section, retries and first answers."""

    minutes: dict[str, int] = field(default_factory=dict)
    retried: set[str] = field(default_factory=set)
    #: question id: 1 when their first answer to it as now worded was right, else 0
    right: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, item: str, value: int | None) -> None:
        """Take in one fact from the database (see _facts)."""
        if kind == "minutes":
            self.minutes[item] = max(int(value or 0), 0)  # a clock step backwards reads as no time
        elif kind == "retried":
            self.retried.add(item)
        else:
            self.right[item] = int(value or 0)

    def forget(self, kinds: tuple[str, ...]) -> None:
        """Clear these parts, to be read afresh."""
        if "minutes" in kinds:
            self.minutes = {}
        if "retried" in kinds:
            self.retried = set()
        if "right" in kinds:
            self.right = {}

    def counts(self) -> dict[Key, int]:
        """This share as additions to the totals."""
        found: dict[Key, int] = {("minutes", item, whole): 1 for item, whole in self.minutes.items()}
        found.update({("retried", item, 0): 1 for item in self.retried})
        t = sum(self.right.values())
        for item, x in self.right.items():
            for measure, value in zip(ITEM_MEASURES, (1, x, t, t * t, x * t), strict=True):
                if value:
                    found[(measure, item, 0)] = value
        return found

    def to_json(self) -> str:
        """The share as kept in insight_shares."""
        return json.dumps(
            {"minutes": self.minutes, "retried": sorted(self.retried), "right": self.right}, sort_keys=True
        )

    @classmethod
    def from_json(cls, text: str | None) -> Share:
        """A kept share (an empty one when none was kept)."""
        kept = json.loads(text) if text else {}
        return cls(kept.get("minutes", {}), set(kept.get("retried", [])), kept.get("right", {}))


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
    shares: dict[int, Share] = defaultdict(Share)
    facts: Any = db.session.execute(_facts(module, None)).yield_per(20_000)
    for user_id, kind, item, value in facts:
        shares[user_id].add(kind, item, value)
    found: Counter[Key] = Counter()
    rows = []
    for user_id, share in shares.items():
        found.update(share.counts())
        rows.append({"user_id": user_id, "module_id": module.id, "facts": share.to_json()})
    for start in range(0, len(rows), 10_000):
        db.session.execute(insert_for(InsightShare), rows[start : start + 10_000])
    _add(module.id, dict(found))


def learner_acted(user_id: int, module: Module, kinds: tuple[str, ...] = KINDS) -> None:
    """Bring the module's totals up to date with the learner's rows, adding only what changed.

    ``kinds`` are the parts of their share the action can change (reading a section changes only
    its minutes; checking answers, only retries and first answers). Called inside the action's
    transaction, after its writes. Locking the count row for share keeps a recount from running at
    the same time; the learner's progress row, which every action has already updated, keeps two
    of their own actions from interleaving.
    """
    state = db.session.execute(_statements()["state"], {"module_id": module.id, "user_id": user_id}).first()
    if state is None or state.content_hash != module.content_hash:
        return  # not counted yet for this version: the first insight view counts everyone
    old = Share.from_json(state.facts)
    new = Share.from_json(state.facts)
    new.forget(kinds)
    facts: Any = db.session.execute(_learner_facts(module, kinds), {"learner": user_id})
    for _user, kind, item, value in facts:
        new.add(kind, item, value)
    if new == old:
        return
    before, after = old.counts(), new.counts()
    _add(module.id, {key: after.get(key, 0) - before.get(key, 0) for key in before.keys() | after.keys()})
    db.session.execute(
        _statements()["share"], {"user_id": user_id, "module_id": module.id, "facts": new.to_json()}
    )


def forget_learner(user_id: int) -> None:
    """Take a learner's shares out of every module's totals (they are being erased)."""
    kept = db.session.execute(
        select(InsightShare.module_id, InsightShare.facts)
        .where(InsightShare.user_id == user_id)
        .order_by(InsightShare.module_id)
    ).all()
    for module_id, facts in kept:
        _add(module_id, {key: -value for key, value in Share.from_json(facts).counts().items()})
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
    if rows:
        db.session.execute(_statements()["add"], rows)


#: per database dialect, the statements of keeping the totals
_STATEMENTS: dict[Any, dict[str, Any]] = {}
#: per dialect, module, version and kinds, the query of one learner's facts
_LEARNER_FACTS: dict[Any, Any] = {}


def _statements() -> dict[str, Any]:
    """Reading a learner's share, adding to totals, keeping the share (Core: no ORM bookkeeping per row)."""
    return built_once(_STATEMENTS, _build_statements)


def _build_statements() -> dict[str, Any]:
    add = insert_for(InsightTotal.__table__)  # type: ignore[arg-type]  # a Table: Core, not ORM
    share = insert_for(InsightShare.__table__)  # type: ignore[arg-type]
    shares = InsightShare.__table__.c
    counts = InsightCount.__table__
    return {
        # Whether the module is counted for this version (share-locked), with the learner's share.
        "state": select(counts.c.content_hash, shares.facts)
        .outerjoin(
            InsightShare.__table__,
            (shares.module_id == counts.c.module_id) & (shares.user_id == bindparam("user_id")),
        )
        .where(counts.c.module_id == bindparam("module_id"))
        .with_for_update(read=True, of=counts),
        "add": add.on_conflict_do_update(
            index_elements=["module_id", "measure", "item", "bucket"],
            set_={"value": InsightTotal.__table__.c.value + add.excluded.value},
        ),
        "share": share.on_conflict_do_update(
            index_elements=["user_id", "module_id"], set_={"facts": share.excluded.facts}
        ),
    }


def _learner_facts(module: Module, kinds: tuple[str, ...]) -> Any:
    """Those facts of the learner given as the ``learner`` parameter, for the module as now published."""
    return built_once(
        _LEARNER_FACTS,
        lambda: _facts(module, bindparam("learner", type_=Integer), kinds),
        module.id,
        module.content_hash,
        kinds,
    )


def _facts(module: Module, user_id: Any, kinds: tuple[str, ...] = KINDS) -> Any:
    """SQL: (user_id, kind, item, value) rows, every learner's (or one learner's) facts for their share."""
    parts = []
    if "minutes" in kinds:
        parts.append(_minutes(module.id, user_id))
    if "retried" in kinds:
        parts.append(_retries(module.id, user_id))
    if "right" in kinds and any(s.questions for s in module.sections):
        parts.append(_right(module, user_id))
    return union_all(*parts) if len(parts) > 1 else parts[0]


def _seconds_between(later: Any, earlier: Any) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400


def _minutes(module_id: str, user_id: Any) -> Any:
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
    return select(
        inner.c.user_id,
        literal("minutes", String).label("kind"),
        inner.c.section_id.label("item"),
        cast(func.round(_seconds_between(inner.c.seen_at, inner.c.since) / 60.0), Integer).label("value"),
    )


def _retries(module_id: str, user_id: Any) -> Any:
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
        literal("retried", String).label("kind"),
        inner.c.section_id.label("item"),
        literal(1, Integer).label("value"),
    ).group_by(inner.c.user_id, inner.c.section_id)


def _right(module: Module, user_id: Any) -> Any:
    """Each question a learner answered as now worded: 1 when their first answer was right, else 0."""
    current = [(q.id, q.fingerprint) for s in module.sections for q in s.questions]
    query = select(
        QuestionResult.user_id,
        literal("right", String).label("kind"),
        QuestionResult.question_id.label("item"),
        cast(QuestionResult.first_correct, Integer).label("value"),
    ).where(
        QuestionResult.module_id == module.id,
        QuestionResult.first_correct.isnot(None),
        tuple_(QuestionResult.question_id, QuestionResult.fingerprint).in_(current),
    )
    return query.where(QuestionResult.user_id == user_id) if user_id is not None else query
