"""Database models, one file per aggregate. Import from here."""

from __future__ import annotations

from tilearn.models.audits import ServiceAudit, ServiceAuditAction
from tilearn.models.checklists import TrainingChecklist
from tilearn.models.completion import CompletionRecord
from tilearn.models.drafts import ModuleDraft, ModuleDraftFile
from tilearn.models.evaluation import EvaluationInvitation, EvaluationOptOut, EvaluationResponse
from tilearn.models.insight import InsightCount, InsightShare, InsightTotal
from tilearn.models.library import LibraryGeneration, ModuleVersion, ModuleVersionFile, RetiredModule
from tilearn.models.organisation import AuditEvent, OrganisationSettings, Team, TeamManager
from tilearn.models.planning import DevelopmentPlan, NeedsAssessment
from tilearn.models.progress import (
    DraftAnswers,
    GroundingVisit,
    ModuleProgress,
    Pause,
    QuestionResult,
    QuizAttempt,
    ReflectionEntry,
    SectionDeferral,
    SectionView,
)
from tilearn.models.user import ROLES, PasswordLink, SignInCounter, User, UserRole, UserSession

__all__ = [
    "ROLES",
    "AuditEvent",
    "OrganisationSettings",
    "Team",
    "TeamManager",
    "CompletionRecord",
    "DevelopmentPlan",
    "DraftAnswers",
    "EvaluationInvitation",
    "EvaluationOptOut",
    "EvaluationResponse",
    "GroundingVisit",
    "InsightCount",
    "InsightShare",
    "InsightTotal",
    "ModuleDraft",
    "ModuleDraftFile",
    "LibraryGeneration",
    "ModuleProgress",
    "ModuleVersion",
    "ModuleVersionFile",
    "NeedsAssessment",
    "PasswordLink",
    "Pause",
    "QuestionResult",
    "ServiceAudit",
    "ServiceAuditAction",
    "TrainingChecklist",
    "QuizAttempt",
    "ReflectionEntry",
    "RetiredModule",
    "SectionDeferral",
    "SectionView",
    "SignInCounter",
    "User",
    "UserRole",
    "UserSession",
]
