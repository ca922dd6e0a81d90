"""The service audit engine: criteria from data, ratings checked, what moved, and the chart's geometry."""

from __future__ import annotations

import pytest

from tilearn.engine.levels import load_scheme
from tilearn.engine.service_audit import (
    PLOT_BOTTOM,
    PLOT_TOP,
    Rating,
    chart,
    check_ratings,
    framework_from_data,
    parse_framework,
    rag_counts,
    what_moved,
)

SMALL = {
    "name": "Small",
    "principles": [
        {"key": "safe", "name": "Safe", "criteria": [{"key": "a", "text": "A."}, {"key": "b", "text": "B."}]},
        {"key": "choice", "name": "Choice", "criteria": [{"key": "c", "text": "C."}]},
    ],
}


def test_both_shipped_schemes_bring_the_five_principles():
    for name in ("west-midlands", "hampshire"):
        framework = load_scheme(name).service_audit
        assert framework is not None
        assert [p.name for p in framework.principles] == [
            "Safety",
            "Trustworthiness",
            "Choice",
            "Collaboration",
            "Empowerment",
        ]
        assert all(len(p.criteria) >= 5 for p in framework.principles)
        assert framework_from_data(framework.as_data()) == framework


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"principles": []}, "needs a list of principles"),
        ({"principles": [{"key": "x", "name": "X", "criteria": []}]}, "has no criteria"),
        (
            {
                "principles": [
                    {
                        "key": "x",
                        "name": "X",
                        "criteria": [{"key": "a", "text": "A"}, {"key": "a", "text": "B"}],
                    }
                ]
            },
            "'x.a' appears twice",
        ),
    ],
)
def test_an_unusable_framework_is_refused_with_a_plain_message(data, message):
    with pytest.raises(ValueError, match=message):
        parse_framework(data)


def test_every_criterion_needs_red_amber_or_green():
    framework = parse_framework(SMALL)
    ratings, problems = check_ratings(framework, {"status-safe.a": "green", "status-safe.b": "purple"})
    assert set(problems) == {"status-safe.b", "status-choice.c"}
    assert problems["status-choice.c"] == "Choose red, amber or green for: C."
    assert ratings["safe.a"] == Rating("green")
    _ok, long = check_ratings(
        framework,
        {
            "status-safe.a": "red",
            "status-safe.b": "red",
            "status-choice.c": "red",
            "evidence-safe.a": "x" * 2001,
        },
    )
    assert list(long) == ["evidence-safe.a"]


def test_what_moved_says_better_worse_same_or_new():
    framework = parse_framework(SMALL)
    before = {"safe.a": Rating("red"), "safe.b": Rating("green")}
    now = {"safe.a": Rating("amber"), "safe.b": Rating("green"), "choice.c": Rating("red")}
    moves = what_moved(framework, before, now)
    assert [(m.criterion, m.was, m.now, m.direction) for m in moves] == [
        ("A.", "red", "amber", "better"),
        ("B.", "green", "green", "same"),
        ("C.", "", "red", "new"),
    ]
    worse = what_moved(framework, now, before)[0]
    assert worse.direction == "worse"


def test_the_chart_stacks_the_counts_to_scale():
    framework = parse_framework(SMALL)
    counts = rag_counts(
        framework, {"safe.a": Rating("red"), "safe.b": Rating("green"), "choice.c": Rating("amber")}
    )
    assert counts == {
        "safe": {"red": 1, "amber": 0, "green": 1},
        "choice": {"red": 0, "amber": 1, "green": 0},
    }
    drawn = chart([("safe", "Safe"), ("choice", "Choice")], [("1", counts), ("2", {"safe": {"green": 2}})])
    safe, choice = drawn.groups
    assert [bar.audit for bar in safe.bars] == ["1", "2"]
    first = safe.bars[0].segments
    assert [(s.status, s.count) for s in first] == [("green", 1), ("red", 1)]
    assert first[0].y + first[0].height == PLOT_BOTTOM and first[1].y == PLOT_TOP  # two of two fill the plot
    assert first[0].label == "G1" and first[1].label == "R1"
    assert choice.bars[1].segments == () and choice.bars[0].x > safe.bars[1].x
    assert drawn.ticks[0] == (0, PLOT_BOTTOM) and drawn.ticks[-1] == (2, PLOT_TOP)
    assert drawn.width > choice.bars[-1].x + drawn.bar_width
