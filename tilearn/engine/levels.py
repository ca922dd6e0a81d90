"""The level scheme: levels, their order and audience, and the themes. Loaded from data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tilearn.engine.checklist import Checklist, load_checklist, parse_checklist
from tilearn.engine.data_files import data_path, load_data_file
from tilearn.engine.evaluation import Evaluation, parse_evaluation
from tilearn.engine.needs import NeedsAssessment, parse_needs_assessment
from tilearn.engine.service_audit import AuditFramework, load_framework, parse_framework

SHIPPED_SCHEMES = Path(__file__).resolve().parent.parent / "levels"


@dataclass(frozen=True)
class Level:
    """One level of the scheme, with the module levels it is made of."""

    key: str
    name: str
    number: int
    audience: str
    refresher_months: int
    module_levels: tuple[str, ...]


@dataclass(frozen=True)
class Theme:
    """One of the framework's repeating themes."""

    key: str
    name: str


@dataclass(frozen=True)
class LevelScheme:
    """An ordered set of levels and the themes they share."""

    name: str
    levels: tuple[Level, ...]
    themes: tuple[Theme, ...]
    #: the questions that recommend a level for a team or a role; None when the scheme has none
    needs_assessment: NeedsAssessment | None = None
    #: the before, after and six-month questionnaires; None when the scheme has none
    evaluation: Evaluation | None = None
    #: the principles and criteria services are audited against; None when the scheme has none
    service_audit: AuditFramework | None = None
    #: the questions asked when choosing training; None when the scheme has none
    training_checklist: Checklist | None = None

    def level_for_module(self, module_level: str) -> Level | None:
        """The scheme level that a module's ``level:`` belongs to, or None."""
        for level in self.levels:
            if module_level in level.module_levels:
                return level
        return None

    def level(self, key: str) -> Level | None:
        """The level with this key, or None."""
        return next((level for level in self.levels if level.key == key), None)

    def theme(self, key: str) -> Theme | None:
        """The theme with this key, or None."""
        return next((theme for theme in self.themes if theme.key == key), None)

    def module_level_keys(self) -> frozenset[str]:
        """Every ``level:`` value a module may use under this scheme."""
        return frozenset(key for level in self.levels for key in level.module_levels)


def scheme_path(name_or_path: str) -> Path:
    """A shipped scheme by name (``west-midlands``, ``hampshire``) or a path to a YAML file."""
    return data_path(SHIPPED_SCHEMES, name_or_path)


def load_scheme(name_or_path: str = "west-midlands") -> LevelScheme:
    """Read a level scheme; raises ValueError with a plain message when it is unusable."""
    path = scheme_path(name_or_path)
    return load_data_file(path, "level scheme", name_or_path, lambda data: _scheme(data, path.parent))


def _scheme(data: Any, folder: Path) -> LevelScheme:
    """A level scheme from its data; the files it names are looked for beside it, in ``folder``."""
    levels = tuple(
        Level(
            key=str(item["key"]),
            name=str(item["name"]),
            number=number,
            audience=str(item.get("audience", "")),
            refresher_months=int(item.get("refresher_months", 24)),
            module_levels=tuple(str(k) for k in item.get("modules", [item["key"]])),
        )
        for number, item in enumerate(data["levels"], start=1)
    )
    themes = tuple(Theme(str(t["key"]), str(t["name"])) for t in data["themes"])
    needs = data.get("needs_assessment")
    if needs is not None:
        needs = parse_needs_assessment(needs, [(level.key, level.name) for level in levels])
    evaluation = data.get("evaluation")
    if evaluation is not None:
        evaluation = parse_evaluation(evaluation)
    audit = data.get("service_audit")
    if isinstance(audit, str):
        audit = load_framework(audit, beside=folder)
    elif audit is not None:
        audit = parse_framework(audit)
    checklist = data.get("training_checklist")
    if isinstance(checklist, str):
        checklist = load_checklist(checklist, beside=folder)
    elif checklist is not None:
        checklist = parse_checklist(checklist)
    return LevelScheme(
        str(data["name"]),
        levels,
        themes,
        needs,
        evaluation=evaluation,
        service_audit=audit,
        training_checklist=checklist,
    )
