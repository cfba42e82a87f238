"""SQLAlchemy 2 typed models; the schema changes only through Alembic migrations."""

from .documents import DocumentBuild, FigureSnapshot, RenderedDocument
from .grading import CriterionKind, FinalGrade, Mark, RubricCriterion
from .integrity import IntegrityCheck, IntegrityFinding, IntegritySource, Verdict
from .mail import (
    DigestRecord,
    EmailToken,
    MailStatus,
    NotificationOptOut,
    OutboxMessage,
    SentNotification,
)
from .people import LoginAttempt, User
from .programme import Attendance, Registration, RegistrationState
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
    "Attendance",
    "ArticleQuality",
    "AssignedArticle",
    "Assignment",
    "AssignmentStatus",
    "AuthorshipFigure",
    "CriterionKind",
    "DocumentBuild",
    "FigureSnapshot",
    "DigestRecord",
    "EmailToken",
    "Discussant",
    "FinalGrade",
    "IntegrityCheck",
    "IntegrityFinding",
    "IntegritySource",
    "LoginAttempt",
    "MailStatus",
    "Mark",
    "NotificationOptOut",
    "OutboxMessage",
    "Page",
    "PageAuthorship",
    "PeerReview",
    "Participant",
    "RenderedDocument",
    "Revision",
    "Registration",
    "RegistrationState",
    "RevisionMetrics",
    "RevisionText",
    "Role",
    "RubricCriterion",
    "Seminar",
    "SeminarSession",
    "SentNotification",
    "SessionKind",
    "SyncRun",
    "Topic",
    "User",
    "Verdict",
    "Wiki",
]
