"""A level scheme's data files: an unusable one is refused with a message naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tilearn.engine.levels import load_scheme

SCHEME = (
    "name: Ours\nlevels:\n  - key: everyone\n    name: Everyone\n"
    "themes:\n  - key: staff-wellbeing\n    name: Wellbeing\n"
)


def test_a_yaml_mistake_names_the_file_and_the_line(tmp_path: Path):
    path = tmp_path / "ours.yaml"
    path.write_text(SCHEME + "name: Our scheme: the second\n", encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        load_scheme(str(path))
    message = str(refused.value)
    assert message.startswith(f"level scheme {path}: this line has a colon in its text")
    assert message.endswith("(line 8)") and "front matter" not in message


def test_a_named_audit_file_without_principles_is_named(tmp_path: Path):
    (tmp_path / "audit.yaml").write_text("name: Our audit\n", encoding="utf-8")
    (tmp_path / "ours.yaml").write_text(SCHEME + "service_audit: audit.yaml\n", encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        load_scheme(str(tmp_path / "ours.yaml"))
    assert str(refused.value) == (
        f"service audit {tmp_path / 'audit.yaml'} is missing or has a bad field: "
        "a service audit needs a list of principles"
    )


def test_a_missing_checklist_file_is_named(tmp_path: Path):
    (tmp_path / "ours.yaml").write_text(SCHEME + "training_checklist: gone.yaml\n", encoding="utf-8")
    with pytest.raises(ValueError, match="^training checklist 'gone.yaml' cannot be read: "):
        load_scheme(str(tmp_path / "ours.yaml"))
