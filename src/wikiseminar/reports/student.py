"""Per-student contribution reports: the data behind the HTML page, the PDF and the CLI.

A report is built from the shared figures (`student_figures`, `article_figures`, `timeline`)
and never counts anything itself, except choosing which revisions to quote: the ones with
the most lasting words added. When the seminar has a freeze date, the main figures stop at
it (they are the ones grades use) and what happened after it is reported apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..analysis.excerpts import added_prose
from ..dbsession import DbSession
from ..models import (
    AssignedArticle,
    Page,
    Participant,
    Revision,
    RevisionMetrics,
    RevisionText,
    Seminar,
)
from ..models._types import utcnow
from ..scope import counted
from ..wiki.types import SiteInfo
from .attendance import AttendanceFigures, attendance_figures
from .figures import (
    ArticleFigures,
    StudentFigures,
    _window,
    article_figures,
    namespace_group,
    student_figures,
    timeline,
)
from .integrity import FindingView, confirmed_findings
from .quality import ArticleQualityView, quality_by_page
from .reviews import discussants
from .sorting import name_key

__all__ = [
    "EXCERPT_CHARS",
    "EXCERPT_REVISIONS",
    "ArticleLine",
    "Excerpt",
    "StudentReport",
    "build_reports",
    "iter_reports",
    "report_participants",
]

# How many revisions are quoted per student, and how much of each.
EXCERPT_REVISIONS = 3
EXCERPT_CHARS = 600


@dataclass(slots=True)
class ArticleLine:
    """A page in the student's report: assigned, or edited, or both."""

    title: str
    url: str
    group: str  # article | sandbox
    assigned_kind: str | None = None  # create | improve, None when not in the assignment
    exists_on_wiki: bool | None = None
    created: bool = False
    deleted: bool = False
    edits: int = 0
    words_added: int = 0
    references_added: int = 0
    authorship_share: float | None = None
    survival_now: float | None = None
    page_pk: int | None = None
    quality: ArticleQualityView | None = None


@dataclass(slots=True)
class Excerpt:
    """Prose one revision added, with the way to its diff on the wiki."""

    rev_id: int
    title: str
    timestamp: dt.datetime
    words_added: int
    diff_url: str
    passages: list[str]


@dataclass(slots=True)
class StudentReport:
    """Everything printed on one student's contribution report."""

    seminar_title: str
    seminar_slug: str
    timezone: str
    participant_id: int
    name: str
    role: str
    removed: bool
    wiki_username: str | None
    account_status: str
    verified_at: dt.datetime | None
    verification_method: str | None
    topic: str | None
    topic_status: str | None
    topic_comment: str
    figures: StudentFigures
    after_freeze: StudentFigures | None
    freeze_at: dt.datetime | None
    as_of: dt.datetime | None
    generated_at: dt.datetime
    period: tuple[dt.date, dt.date]
    articles: list[ArticleLine] = field(default_factory=list)
    days: list[tuple[dt.date, int, int]] = field(default_factory=list)
    excerpts: list[Excerpt] = field(default_factory=list)
    attendance: AttendanceFigures | None = None
    # Integrity findings the instructor confirmed (reports.integrity.FindingView).
    integrity: list[FindingView] = field(default_factory=list)
    # The restitution: who discusses this student's talk, whose talks this student discusses.
    discussant: str | None = None
    discusses: list[str] = field(default_factory=list)
    data: Any = None  # completeness.DataStatus of the seminar when the report was built

    @property
    def notices(self) -> list[str]:
        """What is missing: 'no_account', 'unverified', 'no_topic', 'topic_pending', 'no_edits'."""
        found = []
        if self.account_status == "missing":
            found.append("no_account")
        elif self.account_status == "unverified":
            found.append("unverified")
        if self.topic is None:
            found.append("no_topic")
        elif self.topic_status != "approved":
            found.append("topic_pending")
        if not self.figures.edits:
            found.append("no_edits")
        return found

    @property
    def has_after_freeze(self) -> bool:
        """Whether the student edited after the freeze date."""
        return bool(self.after_freeze and self.after_freeze.edits)


def report_participants(session: DbSession, seminar: Seminar) -> list[Participant]:
    """Students and auditors still enrolled, in name order: the class document's order."""
    people = session.scalars(sa.select(Participant).where(
        Participant.seminar_id == seminar.id, counted(),
        Participant.removed_at.is_(None)).order_by(Participant.id))
    return sorted(people, key=lambda p: name_key(p.name))


def _articles(participant: Participant, pages: Sequence[ArticleFigures], site: SiteInfo) -> list[ArticleLine]:
    """The assignment's articles first (edited or not), then the other pages the student edited."""
    lines: list[ArticleLine] = []
    mine = [a for a in pages if participant.id in a.by_student and namespace_group(a.namespace) != "talk"]
    used: set[int] = set()
    assigned: list[AssignedArticle] = list(participant.assignment.articles) if participant.assignment else []
    for art in assigned:
        match = next((a for a in mine if a.page_pk not in used and (
            (art.wiki_page_id and a.page_id == art.wiki_page_id) or a.title == art.title)), None)
        line = ArticleLine(art.title, site.page_url(art.title), "article", str(art.kind),
                           art.exists_on_wiki)
        if match is not None:
            used.add(match.page_pk)
            _fill(line, match, participant)
        lines.append(line)
        if art.sandbox_title:
            draft = next((a for a in mine if a.page_pk not in used and (
                (art.sandbox_page_id and a.page_id == art.sandbox_page_id)
                or a.title == art.sandbox_title)), None)
            if draft is not None:
                used.add(draft.page_pk)
                line = ArticleLine(draft.title, site.page_url(draft.title),
                                   namespace_group(draft.namespace), str(art.kind))
                _fill(line, draft, participant)
                lines.append(line)
    for a in mine:
        if a.page_pk not in used:
            line = ArticleLine(a.title, site.page_url(a.title), namespace_group(a.namespace))
            _fill(line, a, participant)
            lines.append(line)
    return lines


def _fill(line: ArticleLine, figures: ArticleFigures, participant: Participant) -> None:
    """Copy one page's figures for this student into a report line."""
    mine = figures.by_student[participant.id]
    line.title = figures.title
    line.group = namespace_group(figures.namespace)
    line.deleted = figures.deleted
    line.created = figures.created_by == participant.name
    line.edits = mine["edits"]
    line.words_added = mine["words_added"]
    line.references_added = mine["references_added"]
    line.authorship_share = mine["authorship_share"]
    line.survival_now = mine["survival_now"]
    line.page_pk = figures.page_pk


def _excerpts(session: DbSession, seminar: Seminar, participant: Participant, site: SiteInfo,
              until: dt.datetime | None) -> list[Excerpt]:
    """The revisions with the most lasting words added, and the prose each added."""
    if not participant.wiki_user_id:
        return []
    m = RevisionMetrics
    rows = session.execute(
        sa.select(Revision.rev_id, Revision.parent_id, Revision.timestamp, Page.title,
                  m.words_added)
        .join(m, m.revision_id == Revision.id)
        .join(Page, Page.id == Revision.page_pk)
        .where(*_window(seminar, until, None), Revision.user_id == participant.wiki_user_id,
               m.reverted.is_(False), m.is_revert.is_(False), m.words_added > 0,
               Page.namespace % 2 == 0, Revision.text_hidden.is_(False))
        .order_by(m.words_added.desc(), Revision.rev_id)
        .limit(EXCERPT_REVISIONS)
    ).all()
    if not rows:
        return []
    wanted = {r.rev_id for r in rows} | {r.parent_id for r in rows if r.parent_id}
    texts = {t.rev_id: t.text for t in session.scalars(sa.select(RevisionText).where(
        RevisionText.wiki_id == seminar.wiki_id, RevisionText.rev_id.in_(wanted)))}
    excerpts = []
    for row in rows:
        text = texts.get(row.rev_id)
        if text is None:
            continue
        parent = texts.get(row.parent_id) if row.parent_id else None
        if row.parent_id and parent is None:
            continue  # the parent text is unknown: we cannot tell what was added
        excerpts.append(Excerpt(row.rev_id, row.title, row.timestamp, row.words_added,
                                site.diff_url(row.rev_id),
                                added_prose(parent, text, site, max_chars=EXCERPT_CHARS)))
    return excerpts


def build_reports(session: DbSession, seminar: Seminar,
                  participants: Sequence[Participant] | None = None) -> list[StudentReport]:
    """Reports of the given participants (default: every enrolled student and auditor)."""
    return list(iter_reports(session, seminar, participants))


def iter_reports(session: DbSession, seminar: Seminar,
                 participants: Sequence[Participant] | None = None) -> Iterator[StudentReport]:
    """The reports one by one, each as soon as it is built (the seminar's figures come first).

    The class PDF renders a student's part while the next reports are built: the excerpts,
    parsed from the stored texts, are most of a report's time.
    """
    if participants is None:
        participants = report_participants(session, seminar)
    ids = {p.id for p in participants}
    freeze = seminar.freeze_at if seminar.freeze_at and seminar.freeze_at < seminar.end_at else None
    figures = {f.participant_id: f for f in student_figures(
        session, seminar, until=freeze, include_removed=True) if f.participant_id in ids}
    after = {f.participant_id: f for f in student_figures(
        session, seminar, since=freeze, include_removed=True)} if freeze else {}
    pages = article_figures(session, seminar, until=freeze)
    days = timeline(session, seminar, participant_id=next(iter(ids)) if len(ids) == 1 else None)
    site = seminar.wiki.siteinfo
    now = utcnow()
    period = (seminar.start_date, seminar.end_date)
    presence = attendance_figures(session, seminar)
    confirmed: dict[int, list[FindingView]] = {}
    for finding in confirmed_findings(session, seminar):
        confirmed.setdefault(finding.participant_id, []).append(finding)
    quality = quality_by_page(session, seminar, with_students=False)
    chosen = discussants(session, seminar)
    names = dict(session.execute(sa.select(Participant.id, Participant.name).where(
        Participant.id.in_(list(chosen) or [-1]))).all())
    from .completeness import data_status

    data = data_status(session, seminar)
    for p in participants:
        lines = _articles(p, pages, site)
        for line in lines:
            line.quality = quality.get(line.page_pk) if line.page_pk else None
        f = figures.get(p.id) or StudentFigures(p.id, p.name, str(p.role), p.account_status,
                                                p.wiki_username)
        assignment = p.assignment
        topic = assignment.topic.title if assignment and assignment.topic else None
        yield StudentReport(
            seminar_title=seminar.title, seminar_slug=seminar.slug, timezone=seminar.timezone,
            participant_id=p.id, name=p.name, role=str(p.role), removed=p.removed_at is not None,
            wiki_username=p.wiki_username, account_status=p.account_status,
            verified_at=p.wiki_verified_at, verification_method=p.wiki_verification_method,
            topic=topic, topic_status=str(assignment.status) if assignment and topic else None,
            topic_comment=(assignment.instructor_comment or "") if assignment else "",
            figures=f, after_freeze=after.get(p.id), freeze_at=freeze,
            as_of=seminar.last_sync_at, generated_at=now, period=period,
            articles=lines, days=days.get(p.id, []),
            excerpts=_excerpts(session, seminar, p, site, freeze), data=data,
            attendance=presence.get(p.id),
            integrity=confirmed.get(p.id, []),
            discussant=chosen[p.id].name if p.id in chosen else None,
            discusses=sorted(names[pid] for pid, d in chosen.items() if d.participant_id == p.id),
        )
