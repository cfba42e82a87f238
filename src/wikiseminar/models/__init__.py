"""SQLAlchemy 2 typed models; the schema changes only through Alembic migrations."""

from .grading import CriterionKind, FinalGrade, Mark, RubricCriterion
from .people import LoginAttempt, User
from .quality import ArticleQuality
from .reviews import REVIEW_ASPECTS, Discussant, PeerReview
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
    "REVIEW_ASPECTS",
    "ArticleKind",
    "ArticleQuality",
    "AssignedArticle",
    "Assignment",
    "AssignmentStatus",
    "AuthorshipFigure",
    "CriterionKind",
    "Discussant",
    "FinalGrade",
    "LoginAttempt",
    "Mark",
    "Page",
    "PageAuthorship",
    "PeerReview",
    "Participant",
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
