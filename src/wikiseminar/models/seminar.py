"""The seminar and its people: calendar, participants, topics and assignments."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import Model
from ._types import UTCDateTime, utcnow

if TYPE_CHECKING:  # resolved by name at runtime, by SQLAlchemy's registry
    from .people import User
    from .wiki import Wiki

__all__ = [
    "AssignedArticle",
    "Assignment",
    "AssignmentStatus",
    "ArticleKind",
    "Participant",
    "Role",
    "Seminar",
    "SeminarSession",
    "SessionKind",
    "Topic",
]


class Role(enum.StrEnum):
    """What a participant is in one seminar."""

    INSTRUCTOR = "instructor"
    STUDENT = "student"
    AUDITOR = "auditor"


class SessionKind(enum.StrEnum):
    """Thematic sessions are for enrolled students; in-depth sessions are open to auditors."""

    THEMATIC = "thematic"
    IN_DEPTH = "in_depth"
    RESTITUTION = "restitution"


class AssignmentStatus(enum.StrEnum):
    """Where a student's topic proposal stands."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"


class ArticleKind(enum.StrEnum):
    """Whether the student creates the article or improves an existing one."""

    CREATE = "create"
    IMPROVE = "improve"


def _enum(cls: type[enum.StrEnum]) -> sa.Enum:
    """A portable enum column: VARCHAR + CHECK, the same on SQLite and PostgreSQL."""
    return sa.Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        name=f"{cls.__name__.lower()}",
    )


class Seminar(Model):
    """A seminar whose students write on one wiki between two dates."""

    __tablename__ = "seminar"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    wiki_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("wiki.id"), index=True)
    # Content language of the wiki (from siteinfo); the UI language is per user.
    language: so.Mapped[str] = so.mapped_column(sa.String(20), default="fr")
    start_date: so.Mapped[dt.date] = so.mapped_column(sa.Date)
    end_date: so.Mapped[dt.date] = so.mapped_column(sa.Date)
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="Europe/Paris")
    restitution_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    restitution_place: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    # Enrolment: /join/<invite_token> then the passcode.
    invite_token: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    passcode: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # A second link that enrols as auditor (None: auditors cannot join by themselves).
    auditor_invite_token: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    # Secret of the calendar subscription URL (.ics), readable without a session cookie.
    calendar_token: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # Public programme at /programme/<slug> (off by default; never shows students' data).
    public: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Whether the public programme lists the catalogue's topic titles (never who took them).
    publish_topics: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Grading: revisions after freeze_at do not move grades.
    freeze_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    grade_scale: so.Mapped[int] = so.mapped_column(default=20)
    # Restitution programme layout.
    presentation_minutes: so.Mapped[int] = so.mapped_column(default=10)
    break_every: so.Mapped[int] = so.mapped_column(default=0)
    break_minutes: so.Mapped[int] = so.mapped_column(default=10)
    # Alert threshold; None means the config default.
    alert_no_edit_days: so.Mapped[int | None] = so.mapped_column()
    # Sync bookkeeping: the lock keeps two runs (cron, web, workers) off one seminar.
    last_sync_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    sync_lock_owner: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    sync_lock_expires: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    wiki: so.Mapped[Wiki] = so.relationship()
    sessions: so.Mapped[list[SeminarSession]] = so.relationship(
        back_populates="seminar",
        cascade="all, delete-orphan",
        order_by="(SeminarSession.date, SeminarSession.start_time)",
    )
    participants: so.Mapped[list[Participant]] = so.relationship(
        back_populates="seminar", cascade="all, delete-orphan", order_by="Participant.name"
    )
    topics: so.Mapped[list[Topic]] = so.relationship(
        back_populates="seminar", cascade="all, delete-orphan", order_by="Topic.title"
    )

    @property
    def start_at(self) -> dt.datetime:
        """Start of the first day of the seminar, in UTC (edits before it are not counted)."""
        return _local_midnight(self.start_date, self.timezone)

    @property
    def end_at(self) -> dt.datetime:
        """End of the last day of the seminar, in UTC (exclusive bound)."""
        return _local_midnight(self.end_date + dt.timedelta(days=1), self.timezone)

    def __repr__(self) -> str:
        return f"<Seminar {self.slug}>"


def _local_midnight(day: dt.date, tz: str) -> dt.datetime:
    """Midnight of `day` in the seminar's time zone, as UTC."""
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)


class SeminarSession(Model):
    """One meeting in the seminar's calendar."""

    __tablename__ = "seminar_session"
    __table_args__ = {"sqlite_autoincrement": True}  # ids in URLs are never reused

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seminar_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    date: so.Mapped[dt.date] = so.mapped_column(sa.Date)
    start_time: so.Mapped[dt.time | None] = so.mapped_column(sa.Time)
    end_time: so.Mapped[dt.time | None] = so.mapped_column(sa.Time)
    place: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    kind: so.Mapped[SessionKind] = so.mapped_column(_enum(SessionKind), default=SessionKind.THEMATIC)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    speakers: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Street address of the venue (the place is its name), shown on the public programme.
    address: so.Mapped[str] = so.mapped_column(sa.String(300), default="", server_default="")
    # Places for registration (auditors or the public); None: no registration.
    places: so.Mapped[int | None] = so.mapped_column()
    # Registration closes then (None: at the session's start).
    registration_closes_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)

    seminar: so.Mapped[Seminar] = so.relationship(back_populates="sessions")


class Participant(Model):
    """A person's place in one seminar: role, contact, and linked wiki account."""

    __tablename__ = "participant"
    __table_args__ = (
        sa.UniqueConstraint("seminar_id", "user_id"),
        sa.Index("ix_participant_seminar_wiki_user", "seminar_id", "wiki_user_id"),
        # Ids appear in URLs: a deleted participant's id is never given to someone else.
        {"sqlite_autoincrement": True},
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seminar_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    role: so.Mapped[Role] = so.mapped_column(_enum(Role), default=Role.STUDENT)
    wiki_username: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    wiki_user_id: so.Mapped[int | None] = so.mapped_column()
    # True only once the student proved the account is theirs (OAuth or on-wiki code).
    wiki_verified: so.Mapped[bool] = so.mapped_column(default=False)
    wiki_verified_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    wiki_verification_method: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    link_code: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    link_code_created_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    # The account the pending on-wiki code is for (kept apart until proven).
    link_username: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    link_user_id: so.Mapped[int | None] = so.mapped_column()
    # Contributions are fetched from this instant on (None: from the seminar's start).
    contribs_synced_until: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    # Removed participants keep their data for the records until deleted explicitly.
    removed_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    presentation_order: so.Mapped[int | None] = so.mapped_column()
    # A person who joined with the email of a roster line: the line they claim, until proven
    # (wiki account of the line linked, verified email, or the instructor's merge).
    claim_of_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    # How the person bound to a roster line proved it ("wiki", "email", "instructor").
    identity_method: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    seminar: so.Mapped[Seminar] = so.relationship(back_populates="participants")
    claim_of: so.Mapped[Participant | None] = so.relationship(remote_side="Participant.id")
    user: so.Mapped[User | None] = so.relationship()
    assignment: so.Mapped[Assignment | None] = so.relationship(
        back_populates="participant", cascade="all, delete-orphan", uselist=False
    )

    @property
    def account_status(self) -> str:
        """'verified', 'unverified' (entered but not proven) or 'missing' (no username)."""
        if not self.wiki_username:
            return "missing"
        return "verified" if self.wiki_verified else "unverified"

    @property
    def pending_claim(self) -> bool:
        """True while this person claims a roster line they have not proven theirs."""
        return self.claim_of_id is not None

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.name} {self.role}>"


class Topic(Model):
    """A subject in the seminar's catalogue, or one a student proposed."""

    __tablename__ = "topic"
    __table_args__ = {"sqlite_autoincrement": True}  # ids in URLs are never reused

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seminar_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # One suggested article title per line.
    suggested_articles: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    in_catalogue: so.Mapped[bool] = so.mapped_column(default=True)
    proposed_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    seminar: so.Mapped[Seminar] = so.relationship(back_populates="topics")

    @property
    def suggested_list(self) -> list[str]:
        """The suggested article titles, one per non-empty line."""
        return [line.strip() for line in self.suggested_articles.splitlines() if line.strip()]


class Assignment(Model):
    """A student's topic and articles, and the instructor's decision on them."""

    __tablename__ = "assignment"
    __table_args__ = {"sqlite_autoincrement": True}  # ids in URLs are never reused

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), unique=True
    )
    topic_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("topic.id", ondelete="SET NULL"), index=True
    )
    status: so.Mapped[AssignmentStatus] = so.mapped_column(
        _enum(AssignmentStatus), default=AssignmentStatus.PROPOSED
    )
    student_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    instructor_comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    decided_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )

    participant: so.Mapped[Participant] = so.relationship(back_populates="assignment")
    topic: so.Mapped[Topic | None] = so.relationship()
    articles: so.Mapped[list[AssignedArticle]] = so.relationship(
        back_populates="assignment", cascade="all, delete-orphan", order_by="AssignedArticle.id"
    )


class AssignedArticle(Model):
    """One article of an assignment: its title, create or improve, and the sandbox draft."""

    __tablename__ = "assigned_article"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assignment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    kind: so.Mapped[ArticleKind] = so.mapped_column(_enum(ArticleKind), default=ArticleKind.IMPROVE)
    sandbox_title: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    # What the wiki said when the title was checked (None: not checked yet).
    exists_on_wiki: so.Mapped[bool | None] = so.mapped_column()
    wiki_page_id: so.Mapped[int | None] = so.mapped_column(index=True)
    sandbox_page_id: so.Mapped[int | None] = so.mapped_column()
    checked_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)

    assignment: so.Mapped[Assignment] = so.relationship(back_populates="articles")
