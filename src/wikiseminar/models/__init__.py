"""SQLAlchemy 2 typed models; the schema changes only through Alembic migrations."""

from .documents import DocumentBuild, RenderedDocument
from .grading import CriterionKind, FinalGrade, Mark, RubricCriterion
from .people import LoginAttempt, User
from .seminar import (
    ArticleKind,
    AssignedArticle,
    Assignment,
    AssignmentStatus,
    Participant,
    Role,
    Seminar,
    SeminarSession,
    SessionKind,
    Topic,
)
from .wiki import (
    AuthorshipFigure,
    Page,
    PageAuthorship,
    Revision,
    RevisionMetrics,
    RevisionText,
    SyncRun,
    Wiki,
)

__all__ = [
    "ArticleKind",
    "AssignedArticle",
    "Assignment",
    "AssignmentStatus",
    "AuthorshipFigure",
    "CriterionKind",
    "DocumentBuild",
    "FinalGrade",
    "LoginAttempt",
    "Mark",
    "Page",
    "PageAuthorship",
    "Participant",
    "RenderedDocument",
    "Revision",
    "RevisionMetrics",
    "RevisionText",
    "Role",
    "RubricCriterion",
    "Seminar",
    "SeminarSession",
    "SessionKind",
    "SyncRun",
    "Topic",
    "User",
    "Wiki",
]
