"""The trauma-informed service audit: principles and criteria from data, ratings, what moved, the chart.

A framework file (``tilearn/levels/audits/*.yaml``, named by a level scheme's ``service_audit:``)
lists principles, each with criteria. An audit rates every criterion red, amber or green with a
short description and evidence. Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tilearn.engine.data_files import data_path, listed, load_data_file

AUDITS = Path(__file__).resolve().parent.parent / "levels" / "audits"
#: the ratings, worst first, with the words shown beside every colour
RAG = ("red", "amber", "green")
RAG_WORDS = {"red": "Red: not yet met", "amber": "Amber: partly met", "green": "Green: met"}
RAG_NAMES = {"red": "Red", "amber": "Amber", "green": "Green"}
MAX_TEXT = 2000


@dataclass(frozen=True)
class Criterion:
    """One thing a service is rated against."""

    key: str
    text: str


@dataclass(frozen=True)
class Principle:
    """One principle (Safety, Choice, ...) and its criteria."""

    key: str
    name: str
    summary: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class AuditFramework:
    """The principles and criteria an organisation audits its services against."""

    name: str
    intro: str
    principles: tuple[Principle, ...]

    def criteria(self) -> list[tuple[Principle, Criterion]]:
        """Every criterion with its principle, in order."""
        return [(p, c) for p in self.principles for c in p.criteria]

    def as_data(self) -> dict[str, Any]:
        """The framework as plain data, kept with each audit so old audits read as they were."""
        return {
            "name": self.name,
            "intro": self.intro,
            "principles": [
                {
                    "key": p.key,
                    "name": p.name,
                    "summary": p.summary,
                    "criteria": [{"key": c.key, "text": c.text} for c in p.criteria],
                }
                for p in self.principles
            ],
        }


def parse_framework(data: Any) -> AuditFramework:
    """A framework from its data; raises ValueError with a plain message when it is unusable."""
    principles, seen = [], set()
    for item in listed(data, "principles", "a service audit needs a list of principles"):
        criteria = []
        for criterion in item.get("criteria") or []:
            key = f"{item['key']}.{criterion['key']}"
            if key in seen:
                raise ValueError(f"service audit criterion {key!r} appears twice")
            seen.add(key)
            criteria.append(Criterion(key, str(criterion["text"]).strip()))
        if not criteria:
            raise ValueError(f"service audit principle {item['key']!r} has no criteria")
        principles.append(
            Principle(
                str(item["key"]), str(item["name"]), str(item.get("summary", "")).strip(), tuple(criteria)
            )
        )
    return AuditFramework(
        str(data.get("name", "Service audit")), str(data.get("intro", "")).strip(), tuple(principles)
    )


def load_framework(name_or_path: str, beside: Path | None = None) -> AuditFramework:
    """A shipped framework by name, or a YAML file (relative to ``beside``, the scheme's folder)."""
    path = data_path(AUDITS, name_or_path, beside)
    return load_data_file(path, "service audit", name_or_path, parse_framework)


def framework_from_data(data: Mapping[str, Any]) -> AuditFramework:
    """A framework as kept with an audit (see AuditFramework.as_data)."""
    return parse_framework(
        {
            **data,
            "principles": [
                {**p, "criteria": [{**c, "key": c["key"].split(".", 1)[1]} for c in p["criteria"]]}
                for p in data["principles"]
            ],
        }
    )


@dataclass(frozen=True)
class Rating:
    """One criterion's rating: red, amber or green, a short description, and the evidence."""

    status: str
    description: str = ""
    evidence: str = ""


Ratings = dict[str, Rating]


def check_ratings(framework: AuditFramework, form: Mapping[str, str]) -> tuple[Ratings, dict[str, str]]:
    """The ratings in a submitted form (``status-<key>``, ``description-<key>``, ``evidence-<key>``).

    Returns the ratings and plain-language problems by field name; every criterion needs a status.
    """
    ratings: Ratings = {}
    problems: dict[str, str] = {}
    for _principle, criterion in framework.criteria():
        status = (form.get(f"status-{criterion.key}") or "").strip()
        description = (form.get(f"description-{criterion.key}") or "").strip()
        evidence = (form.get(f"evidence-{criterion.key}") or "").strip()
        if status not in RAG:
            problems[f"status-{criterion.key}"] = f"Choose red, amber or green for: {criterion.text}"
        for field, text in (("description", description), ("evidence", evidence)):
            if len(text) > MAX_TEXT:
                problems[f"{field}-{criterion.key}"] = (
                    f"The {field} can be {MAX_TEXT:,} characters or fewer, for: {criterion.text}"
                )
        ratings[criterion.key] = Rating(status, description, evidence)
    return ratings, problems


def ratings_to_data(ratings: Ratings) -> dict[str, dict[str, str]]:
    """Ratings as plain data for keeping."""
    return {
        key: {"status": r.status, "description": r.description, "evidence": r.evidence}
        for key, r in ratings.items()
    }


def ratings_from_data(data: Mapping[str, Mapping[str, str]]) -> Ratings:
    """Ratings as kept."""
    return {
        key: Rating(v.get("status", ""), v.get("description", ""), v.get("evidence", ""))
        for key, v in data.items()
    }


@dataclass(frozen=True)
class Move:
    """How one criterion's rating changed between two audits ("" when it was not rated before)."""

    principle: str
    criterion: str
    was: str
    now: str

    @property
    def direction(self) -> str:
        """ "better", "worse", "same" or "new", in words."""
        if not self.was:
            return "new"
        if self.was == self.now:
            return "same"
        return "better" if RAG.index(self.now) > RAG.index(self.was) else "worse"


def what_moved(framework: AuditFramework, before: Ratings, now: Ratings) -> list[Move]:
    """Every criterion of the framework, with its rating before and now, in the framework's order."""
    return [
        Move(
            principle.name,
            criterion.text,
            before[criterion.key].status if criterion.key in before else "",
            now[criterion.key].status if criterion.key in now else "",
        )
        for principle, criterion in framework.criteria()
    ]


def rag_counts(framework: AuditFramework, ratings: Ratings) -> dict[str, dict[str, int]]:
    """For each principle key, how many of its criteria are red, amber and green."""
    counts = {}
    for principle in framework.principles:
        tally = dict.fromkeys(RAG, 0)
        for criterion in principle.criteria:
            rating = ratings.get(criterion.key)
            if rating is not None and rating.status in tally:
                tally[rating.status] += 1
        counts[principle.key] = tally
    return counts


# The chart: one group of bars per principle, one stacked bar per audit (oldest on the left).
CHART_HEIGHT, PLOT_TOP, PLOT_BOTTOM, LEFT = 300, 20, 240, 40
BAR_WIDTH, BAR_GAP, GROUP_GAP = 26, 6, 28
LABEL_MIN = 14  #: pixels: a segment shorter than this shows its count in the table only


@dataclass(frozen=True)
class Segment:
    """One coloured piece of a bar: a status and how many criteria have it."""

    status: str
    count: int
    y: float
    height: float
    label: str  #: "" when the piece is too short to carry text


@dataclass(frozen=True)
class Bar:
    """One audit's counts for one principle."""

    x: float
    audit: str  #: the audit's short label under the bar ("1", "2", ...)
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Group:
    """One principle's bars and where its name goes."""

    name: str
    label_x: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    """Everything the SVG needs, in pixels."""

    width: float
    height: float
    plot_top: float
    plot_bottom: float
    left: float
    bar_width: float
    top_count: int
    ticks: tuple[tuple[int, float], ...]  #: (count, y)
    groups: tuple[Group, ...]


def chart(
    principles: Sequence[tuple[str, str]], audits: Sequence[tuple[str, Mapping[str, Mapping[str, int]]]]
) -> Chart:
    """Chart geometry for principles (key, name) and audits (label, counts by principle), oldest first."""
    top = max((sum(c.values()) for _label, counts in audits for c in counts.values()), default=0) or 1
    scale = (PLOT_BOTTOM - PLOT_TOP) / top
    groups, x = [], float(LEFT + GROUP_GAP / 2)
    for key, name in principles:
        start, bars = x, []
        for label, counts in audits:
            tally = counts.get(key, {})
            y, segments = float(PLOT_BOTTOM), []
            for status in ("green", "amber", "red"):  # green at the foot of the bar
                count = int(tally.get(status, 0))
                if count:
                    height = count * scale
                    y -= height
                    text = f"{status[0].upper()}{count}" if height >= LABEL_MIN else ""
                    segments.append(Segment(status, count, round(y, 1), round(height, 1), text))
            bars.append(Bar(x, label, tuple(segments)))
            x += BAR_WIDTH + BAR_GAP
        x = x - BAR_GAP + GROUP_GAP
        groups.append(Group(name, round((start + x - GROUP_GAP) / 2, 1), tuple(bars)))
    step = max(1, -(-top // 5))
    ticks = tuple((n, round(PLOT_BOTTOM - n * scale, 1)) for n in range(0, top + 1, step))
    return Chart(
        round(x + GROUP_GAP / 2, 1),
        CHART_HEIGHT,
        PLOT_TOP,
        PLOT_BOTTOM,
        LEFT,
        BAR_WIDTH,
        top,
        ticks,
        tuple(groups),
    )
