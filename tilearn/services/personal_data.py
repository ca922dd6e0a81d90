"""What tilearn holds about a person, table by table: what erasing them does, and what they can download.

One declaration, HOLDINGS, read by erase_person (and so by retention, which erases through it)
and by export_my_data. tests/services/test_personal_data.py walks db.metadata and fails if a
table that refers to a person is not declared here, or is kept or left out of the download
without a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import MetaData, or_

from tilearn.extensions import Model
from tilearn.models import (
    AuditEvent,
    CompletionRecord,
    DevelopmentPlan,
    DraftAnswers,
    EvaluationInvitation,
    EvaluationOptOut,
    GroundingVisit,
    InsightShare,
    ModuleDraft,
    ModuleProgress,
    ModuleVersion,
    NeedsAssessment,
    PasswordLink,
    Pause,
    QuestionResult,
    QuizAttempt,
    ReflectionEntry,
    RetiredModule,
    SectionDeferral,
    SectionView,
    ServiceAudit,
    ServiceAuditAction,
    SignInCounter,
    TeamManager,
    TrainingChecklist,
    User,
    UserRole,
    UserSession,
)
from tilearn.services.accounts import ACCOUNT

#: what erasing the person does to their rows
DELETE, ANONYMISE, KEEP = "deleted", "kept, name and email replaced", "kept as it is"
#: the download's "person" section, built from the users and user_roles rows
PERSON = "person"


@dataclass(frozen=True)
class Holding:
    """One table that holds something about a person, and what happens to it."""

    model: type[Model]
    erase: str  #: DELETE, ANONYMISE or KEEP
    export: str | None  #: its key in "download all my data"; None: not in the download
    reason: str = ""  #: why it is kept when the person is erased, or left out of the download
    hide: tuple[str, ...] = ("user_id",)  #: columns left out of the download (secrets, their own id)
    parsed: tuple[str, ...] = ()  #: JSON text columns, downloaded as data
    #: the rows about the person (default: user_id is theirs)
    whose: Callable[[Any], Any] | None = None

    @property
    def table(self) -> str:
        """The table's name."""
        return str(self.model.__tablename__)

    def about(self, user: Any) -> Any:
        """SQL: this table's rows about the person."""
        # A holding without whose has a user_id column (tests/services/test_personal_data.py checks it).
        return self.whose(user) if self.whose else self.model.user_id == user.id  # type: ignore[attr-defined]


#: in the order of the download
HOLDINGS = (
    Holding(User, ANONYMISE, PERSON, "the row their completion records hang on; erased, it names nobody"),
    Holding(UserRole, DELETE, PERSON),
    Holding(
        CompletionRecord,
        KEEP,
        "completion_records",
        "proof of training an organisation must keep; its holder is the anonymised person",
    ),
    Holding(ModuleProgress, DELETE, "module_progress"),
    Holding(SectionView, DELETE, "sections_read"),
    Holding(SectionDeferral, DELETE, "sections_skipped_for_now"),
    Holding(QuizAttempt, DELETE, "quiz_attempts", hide=("user_id", "attempt_key"), parsed=("answers",)),
    Holding(QuestionResult, DELETE, "latest_answer_results"),
    Holding(DraftAnswers, DELETE, "answers_saved_at_a_pause", parsed=("answers",)),
    # Erasing takes them out of the module totals first (services.insight_totals.forget_learner).
    Holding(
        InsightShare,
        DELETE,
        None,
        "figures worked out from the sections read, attempts and answers the download already holds",
    ),
    Holding(ReflectionEntry, DELETE, "reflections"),
    # Private like a reflection unless they shared it; gone when they are erased, so retention too.
    Holding(DevelopmentPlan, DELETE, "development_plan", parsed=("confidence",)),
    # Only an admin's assessments of this one person's role; a team's stay with the team.
    Holding(
        NeedsAssessment,
        DELETE,
        "training_needs_assessments_about_you",
        hide=("user_id", "team_id"),
        parsed=("answers", "reasons"),
    ),
    # Only that they answered, declined or put off a questionnaire: the answers themselves name
    # nobody (evaluation_responses has no person), so they are neither downloaded nor erased.
    Holding(EvaluationInvitation, DELETE, "evaluation_invitations"),
    # "Stop asking me about evaluations": the learner's own choice, never shown to anyone else.
    Holding(EvaluationOptOut, DELETE, "stopped_evaluation_invitations"),
    # Also let go by retention after the pause setting, each learner's newest kept (retention.py).
    Holding(Pause, DELETE, "pauses"),
    # Also let go by retention after the pause setting (retention.py); never audited.
    Holding(GroundingVisit, DELETE, "grounding_page_visits"),
    Holding(UserSession, DELETE, "signed_in_sessions", hide=("user_id", "token_hash")),
    Holding(
        SignInCounter,
        DELETE,
        "recent_sign_in_attempts",
        hide=("scope", "key"),
        whose=lambda user: (SignInCounter.scope == ACCOUNT) & (SignInCounter.key == user.email),
    ),
    Holding(PasswordLink, DELETE, "set_password_links", hide=("user_id", "token_hash")),
    Holding(TeamManager, DELETE, "teams_you_manage"),
    Holding(
        ModuleVersion,
        KEEP,
        None,
        "the module's published history, which learners' records refer to; it names who published by id only",
        whose=lambda user: ModuleVersion.published_by_id == user.id,
    ),
    Holding(
        ModuleDraft,
        KEEP,
        None,
        "a module a trainer has not published yet; it names who last saved it by id only",
        whose=lambda user: ModuleDraft.updated_by_id == user.id,
    ),
    Holding(
        RetiredModule,
        KEEP,
        None,
        "which modules are retired; it names who retired one by id only",
        whose=lambda user: RetiredModule.retired_by_id == user.id,
    ),
    Holding(
        ServiceAudit,
        KEEP,
        None,
        "a team's or service's audit, which belongs to the team; it names who audited by id only",
        whose=lambda user: ServiceAudit.audited_by == user.id,
    ),
    Holding(
        ServiceAuditAction,
        KEEP,
        None,
        "an action agreed in an audit; it names who added it by id only (its owner is as typed)",
        whose=lambda user: ServiceAuditAction.created_by == user.id,
    ),
    Holding(
        TrainingChecklist,
        KEEP,
        None,
        "a quality checklist for a module or training offer; it names who answered it by id only",
        whose=lambda user: TrainingChecklist.completed_by == user.id,
    ),
    Holding(
        AuditEvent,
        KEEP,
        "audit_entries_about_you",
        "the record of administrative actions; it names people by id only, so it says nothing once erased",
        hide=(),
        whose=lambda user: or_(AuditEvent.subject == f"user:{user.id}", AuditEvent.actor_id == user.id),
    ),
)


def refers_to_a_person(table: Any) -> bool:
    """The users table itself, or one with a foreign key to users.id or a user_id column."""
    return (
        table.name == "users"
        or "user_id" in table.c
        or any(key.target_fullname == "users.id" for key in table.foreign_keys)
    )


def undeclared(metadata: MetaData) -> list[str]:
    """Tables that refer to a person and are missing from HOLDINGS."""
    declared = {holding.table for holding in HOLDINGS}
    return [t.name for t in metadata.sorted_tables if refers_to_a_person(t) and t.name not in declared]


def unexplained() -> list[str]:
    """Holdings kept on erasing or left out of the download without a reason."""
    return [
        holding.table
        for holding in HOLDINGS
        if holding.erase not in (DELETE, ANONYMISE, KEEP)
        or ((holding.erase != DELETE or holding.export is None) and not holding.reason)
    ]
