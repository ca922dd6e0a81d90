"""Evaluation results for the insight pages: each level's stages, for everyone and per team.

The counts come from evaluation.evaluation_results, which already gives no numbers for a group of
fewer than five responses. Here a team is listed only with five or more responses, and
complementary suppression (engine.insight.suppress_table) hides a listed team too when the total
minus the listed teams would give away a group of one to four. There are no filters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func, select

from tilearn.engine.evaluation import AFTER, BEFORE, SIX_MONTHS
from tilearn.engine.insight import MINIMUM, suppress_table
from tilearn.engine.levels import Level, LevelScheme
from tilearn.extensions import db
from tilearn.models import Team
from tilearn.models.evaluation import EvaluationResponse
from tilearn.services.evaluation import EvaluationResults, QuestionCounts, evaluation_results

#: how each stage is named on the page and in CSV
STAGE_NAMES = {BEFORE: "Before the level", AFTER: "Straight after", SIX_MONTHS: "Six months on"}


@dataclass(frozen=True)
class GroupResults:
    """One group's results: everyone ("All teams") or one team."""

    name: str
    results: EvaluationResults


@dataclass(frozen=True)
class StageResults:
    """One stage of a level: everyone's results, then each team that may be shown."""

    stage: str
    name: str
    everyone: EvaluationResults
    teams: tuple[GroupResults, ...]


@dataclass(frozen=True)
class LevelResults:
    """A level's evaluation results, stage by stage."""

    level: Level
    stages: tuple[StageResults, ...]


def _answered(question: QuestionCounts) -> int:
    return sum(count for _label, count in question.counts or ())


def _hide_question(results: EvaluationResults, key: str) -> EvaluationResults:
    questions = tuple(replace(q, counts=None) if q.key == key else q for q in results.questions)
    return replace(results, questions=questions)


def _teams(
    scheme: LevelScheme, level_key: str, stage: str, everyone: EvaluationResults
) -> list[GroupResults]:
    """The teams with five or more responses, after complementary suppression against the total."""
    sizes = db.session.execute(
        select(EvaluationResponse.team_id, func.count())
        .where(
            EvaluationResponse.scheme == scheme.name,
            EvaluationResponse.level_key == level_key,
            EvaluationResponse.stage == stage,
        )
        .group_by(EvaluationResponse.team_id)
        .order_by(EvaluationResponse.team_id)
    ).all()
    if not sizes or everyone.suppressed:
        return []
    # One row per team and one for the responses kept with no team; the column total is everyone.
    table = suppress_table([[count] for _team, count in sizes])
    shown_ids = [team for (team, _count), row in zip(sizes, table.cells, strict=True) if team and row[0]]
    names = {
        row.id: row.name
        for row in db.session.execute(select(Team.id, Team.name).where(Team.id.in_(shown_ids)))
    }
    teams = [
        GroupResults(
            names.get(team_id, f"Team {team_id}"), evaluation_results(level_key, stage, team_id, scheme)
        )
        for team_id in shown_ids
    ]
    # The same per question: a shown total minus the shown teams must not leave one to four answers.
    for question in everyone.questions:
        if question.counts is None:
            continue
        given = {
            i: _answered(found)
            for i, team in enumerate(teams)
            if (found := _team_question(team, question.key))
        }
        rest = _answered(question) - sum(given.values())
        if given and 0 < rest < MINIMUM:
            smallest = min(given, key=lambda i: (given[i], i))
            teams[smallest] = replace(
                teams[smallest], results=_hide_question(teams[smallest].results, question.key)
            )
    return teams


def _team_question(team: GroupResults, key: str) -> QuestionCounts | None:
    found = next((q for q in team.results.questions if q.key == key), None)
    return found if found is not None and found.counts is not None else None


def level_results(scheme: LevelScheme, level: Level) -> LevelResults:
    """One level's results for every stage its evaluation has."""
    stages = []
    evaluation = scheme.evaluation
    for stage in (BEFORE, AFTER, SIX_MONTHS):
        if evaluation is None or evaluation.questionnaire(stage) is None:
            continue
        everyone = evaluation_results(level.key, stage, None, scheme)
        teams = _teams(scheme, level.key, stage, everyone)
        stages.append(StageResults(stage, STAGE_NAMES[stage], everyone, tuple(teams)))
    return LevelResults(level, tuple(stages))


def all_levels(scheme: LevelScheme) -> list[LevelResults]:
    """Every level's results, in the scheme's order; empty when the scheme has no evaluation."""
    if scheme.evaluation is None:
        return []
    return [level_results(scheme, level) for level in scheme.levels]
