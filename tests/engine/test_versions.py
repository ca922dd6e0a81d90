"""Version labels rise in natural order; a material change outdates every earlier version, for good."""

from __future__ import annotations

from tilearn.engine.versions import (
    VersionInfo,
    changes_after,
    highest_label,
    label_key,
    next_label,
    stale_labels,
)


def history(*versions: tuple[str, bool]) -> list[VersionInfo]:
    return [VersionInfo(label, material, f"note {label}", None) for label, material in versions]


def test_labels_are_ordered_naturally():
    assert label_key("1.10") > label_key("1.9") > label_key("1.2") > label_key("1")
    assert label_key("2") > label_key("1.12")
    assert highest_label(["1.9", "1.10", "1.2"]) == "1.10" and highest_label([]) is None


def test_the_next_label_raises_the_last_number():
    assert [next_label(x) for x in ("1.3", "1.9", "2", "v1.0-draft", None, "alpha")] == [
        "1.4",
        "1.10",
        "3",
        "v1.1-draft",
        "1.0",
        "alpha.1",
    ]


def test_a_material_change_outdates_every_earlier_version_whatever_comes_later():
    sequence = history(("1.0", False), ("1.1", True), ("1.2", True), ("1.3", False))
    assert stale_labels(sequence) == {"1.0", "1.1"}
    assert stale_labels(reversed(sequence)) == {"1.0", "1.1"}  # the order they are given in does not matter
    assert stale_labels(history(("1.0", False), ("1.1", False))) == frozenset()
    assert stale_labels(history(("1.0", True))) == frozenset()  # the first version outdates nothing


def test_what_changed_after_a_version_oldest_first():
    sequence = history(("1.10", False), ("1.2", True), ("1.9", False), ("1.0", False))
    assert [v.label for v in changes_after("1.2", sequence)] == ["1.9", "1.10"]
    assert changes_after("1.10", sequence) == []
