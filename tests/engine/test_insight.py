"""Insight arithmetic against hand-worked numbers: suppression, item analysis, medians."""

from __future__ import annotations

import math
import random

import pytest

from tilearn.engine.insight import (
    FEWER,
    ItemSums,
    item_statistics,
    label,
    median_minutes,
    shown,
    suppress_table,
)


def test_counts_under_five_are_hidden_zero_included():
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == [None, None, None, 5, 12]
    assert label(None) == FEWER == "fewer than 5" and label(7) == "7"


def test_a_lone_hidden_cell_takes_the_next_smallest_of_its_column_with_it():
    table = suppress_table([[10, 3, 7], [8, 12, 0], [6, 9, 5]])
    assert table.cells == [[10, None, 7], [8, 12, None], [6, None, None]]
    assert table.totals == [24, 24, 12]


def test_a_column_whose_only_figures_are_small_hides_its_total_too():
    table = suppress_table([[2], [1]])
    assert table.cells == [[None], [None]] and table.totals == [None]


def test_a_large_total_with_one_small_cell_and_one_large_hides_both_cells():
    table = suppress_table([[2], [6]])
    assert table.cells == [[None], [None]] and table.totals == [8]


def test_cells_zero_by_design_are_shown_and_never_hidden_to_cover_another():
    # The first section cannot be skipped: its 0 is known to all, so the second section's 6 stands.
    table = suppress_table([[0], [6]], fixed=[[True], [False]])
    assert table.cells == [[0], [6]] and table.totals == [6]
    table = suppress_table([[0], [3], [6]], fixed=[[True], [False], [False]])
    assert table.cells == [[0], [None], [None]] and table.totals == [9]


def test_all_large_shows_everything():
    table = suppress_table([[5, 6], [7, 8]])
    assert table.cells == [[5, 6], [7, 8]] and table.totals == [12, 14]


def test_no_shown_total_minus_shown_cells_ever_gives_away_one_hidden_cell():
    chance = random.Random(12)
    for _ in range(500):
        rows = [
            [chance.choice([0, 1, 2, 3, 4, 5, 6, 9, 20]) for _ in range(3)]
            for _ in range(chance.randint(1, 6))
        ]
        table = suppress_table(rows)
        for column, total in enumerate(table.totals):
            cells = [row[column] for row in table.cells]
            assert all(value is None or value >= 5 for value in cells)
            assert total is None or total >= 5
            if total is not None:
                assert sum(value is None for value in cells) != 1, (rows, table)
            for original, value in zip((row[column] for row in rows), cells, strict=True):
                assert value is None or value == original


# Five learners, three questions; 1 = right first time.   q1 q2 q3  total t
#   L1 1 1 1 3 · L2 1 1 0 2 · L3 1 0 0 1 · L4 0 1 0 1 · L5 0 0 0 0
# For q1: x = 1 1 1 0 0, rest y = t - x = 2 1 0 1 0. n=5, Σx=3, Σy=4, Σxy=3, Σx²=3, Σy²=6.
# r = (5·3 - 3·4) / √((5·3 - 3²)(5·6 - 4²)) = 3 / √84 = 0.3273.
def test_facility_and_discrimination_match_the_hand_worked_example():
    stats = item_statistics(ItemSums(answered=5, sum_x=3, sum_t=7, sum_t2=15, sum_xt=6))
    assert stats.answered == 5 and stats.facility == pytest.approx(0.6)
    assert (
        stats.discrimination == pytest.approx(3 / math.sqrt(84)) and round(stats.discrimination, 4) == 0.3273
    )


def test_item_statistics_agree_with_a_direct_correlation():
    chance = random.Random(5)
    answers = [[chance.random() < 0.3 + 0.1 * q for q in range(4)] for _ in range(40)]
    totals = [sum(row) for row in answers]
    x = [int(row[0]) for row in answers]
    y = [t - xi for t, xi in zip(totals, x, strict=True)]
    mx, my = sum(x) / 40, sum(y) / 40
    cov = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    r = cov / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))
    sums = ItemSums(
        40,
        sum(x),
        sum(totals),
        sum(t * t for t in totals),
        sum(a * t for a, t in zip(x, totals, strict=True)),
    )
    assert item_statistics(sums).discrimination == pytest.approx(r)


def test_a_question_everyone_gets_right_has_no_discrimination_and_is_worth_a_look():
    stats = item_statistics(ItemSums(answered=6, sum_x=6, sum_t=18, sum_t2=56, sum_xt=18))
    assert stats.facility == 1.0 and stats.discrimination is None and stats.needs_a_look


def test_a_question_that_separates_badly_is_worth_a_look():
    # x = 1 1 0 0 0 0, rest y = 0 0 2 2 1 1 (those right here did worse elsewhere).
    stats = item_statistics(ItemSums(answered=6, sum_x=2, sum_t=8, sum_t2=12, sum_xt=2))
    assert stats.discrimination is not None and stats.discrimination < 0 and stats.needs_a_look


def test_fewer_than_five_answers_give_no_statistics():
    stats = item_statistics(ItemSums(answered=4, sum_x=2, sum_t=5, sum_t2=9, sum_xt=4))
    assert (stats.answered, stats.facility, stats.discrimination) == (None, None, None)
    assert not stats.needs_a_look


def test_median_minutes_from_a_histogram():
    assert median_minutes({1: 2, 3: 1, 10: 2}) == 3  # 1 1 3 10 10
    assert median_minutes({2: 3, 5: 3}) == 4  # 2 2 2 5 5 5: (2 + 5) / 2 = 3.5, half up
    assert median_minutes({0: 5}) == 0
    assert median_minutes({7: 4}) is None  # four learners: hidden
