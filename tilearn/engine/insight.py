"""Insight arithmetic: suppressing small groups, item analysis and medians (pure, no database).

The privacy wall lets trainers see only aggregates over at least five learners. Every count here
describes learners; a count below ``MINIMUM`` (zero included, so "nobody" and "one person" look the
same) is suppressed, and complementary suppression stops a shown total giving a suppressed cell away.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: the smallest group any shown figure may describe
MINIMUM = 5
#: what a suppressed figure reads as, on the page and in CSV
FEWER = "fewer than 5"


@dataclass(frozen=True)
class Suppressed:
    """A table of learner counts after suppression: None marks a hidden figure."""

    cells: list[list[int | None]]
    #: the column totals (each the sum of the column's cells), None where hidden
    totals: list[int | None]


def shown(count: int) -> int | None:
    """The count itself when it describes at least five learners, else None."""
    return count if count >= MINIMUM else None


def suppress_table(
    rows: Sequence[Sequence[int]], fixed: Sequence[Sequence[bool]] | None = None
) -> Suppressed:
    """Hide small cells, then hide enough more that no column total minus its shown cells reveals one.

    Primary: every cell and total below five is hidden. Complementary: while a column with a shown
    total has exactly one hidden cell, the smallest other shown cell of that column is hidden too
    (or, when there is none, the total). ``fixed`` marks cells that are 0 by design (a section with
    no questions cannot be retried): everyone knows them, so they are shown and never hidden.
    """
    width = len(rows[0]) if rows else 0
    known = [list(row) for row in fixed] if fixed is not None else [[False] * width for _ in rows]
    cells: list[list[int | None]] = [
        [0 if known[r][c] else shown(value) for c, value in enumerate(row)] for r, row in enumerate(rows)
    ]
    sums = [sum(row[column] for row in rows) for column in range(width)]
    totals: list[int | None] = [shown(value) for value in sums]
    changed = True
    while changed:
        changed = False
        for column in range(width):
            if totals[column] is None:
                continue
            hidden = [r for r in range(len(rows)) if cells[r][column] is None]
            if len(hidden) != 1:
                continue
            others = [r for r in range(len(rows)) if cells[r][column] is not None and not known[r][column]]
            if others:
                smallest = min(others, key=lambda r: (rows[r][column], r))
                cells[smallest][column] = None
            else:
                totals[column] = None
            changed = True
    return Suppressed(cells, totals)


@dataclass(frozen=True)
class ItemSums:
    """Sums over the learners who answered one question, as one GROUP BY query gives them.

    x is 1 when the learner's first answer was right, else 0; t is the learner's total right first
    time over all the module's questions (x included), so the rest-of-test score is t - x.
    """

    answered: int
    sum_x: int
    sum_t: int
    sum_t2: int
    sum_xt: int


@dataclass(frozen=True)
class ItemStatistics:
    """Facility and discrimination of one question; None where too few learners answered it."""

    answered: int | None
    #: share of learners right first time, 0 to 1
    facility: float | None
    #: correlation between right first time and the rest-of-test score, -1 to 1; None if undefined
    discrimination: float | None

    @property
    def needs_a_look(self) -> bool:
        """A question that nearly everyone or nearly no one gets right, or that fails to separate."""
        if self.facility is None:
            return False
        if self.facility < 0.2 or self.facility > 0.95:
            return True
        return self.discrimination is not None and self.discrimination < 0.2


def item_statistics(sums: ItemSums) -> ItemStatistics:
    """Facility Σx/n and discrimination r(x, t - x), the Pearson (point-biserial) correlation.

    With y = t - x and x² = x: Σy = Σt - Σx, Σxy = Σxt - Σx, Σy² = Σt² - 2Σxt + Σx, and
    r = (nΣxy - ΣxΣy) / √((nΣx² - (Σx)²)(nΣy² - (Σy)²)). Undefined (None) when either varies not at all.
    """
    n = sums.answered
    if n < MINIMUM:
        return ItemStatistics(None, None, None)
    sx = sums.sum_x
    sy = sums.sum_t - sx
    sxy = sums.sum_xt - sx
    syy = sums.sum_t2 - 2 * sums.sum_xt + sx
    spread_x = n * sx - sx * sx
    spread_y = n * syy - sy * sy
    if spread_x <= 0 or spread_y <= 0:
        return ItemStatistics(n, sx / n, None)
    r = (n * sxy - sx * sy) / math.sqrt(spread_x * spread_y)
    return ItemStatistics(n, sx / n, r)


def median_minutes(histogram: Mapping[int, int]) -> int | None:
    """The median of whole-minute times given as {minutes: learners}, rounded half up; None under five."""
    total = sum(histogram.values())
    if total < MINIMUM:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle one or two positions, counting from 0
    found: list[int] = []
    seen = 0
    for minutes in sorted(histogram):
        count = histogram[minutes]
        while len(found) < 2 and seen <= wanted[len(found)] < seen + count:
            found.append(minutes)
        seen += count
    return math.floor((found[0] + found[1]) / 2 + 0.5)


def label(count: int | None) -> str:
    """A suppressed-or-shown figure as text."""
    return FEWER if count is None else str(count)
