"""The instructor's progress dashboard as data: rows, totals, alerts, charts, JSON, revision lists.

Built from `figures` (every number) and `alerts` (every warning); this module only joins
them with the seminar's topics and assignments, sorts, filters and lays out charts. The web
pages and `progress.json` read it; PDFs can reuse the same charts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from markupsafe import Markup

from ..dbsession import DbSession
from ..models import (
    AssignedArticle,
    Assignment,
    AssignmentStatus,
    Page,
    Participant,
    Revision,
    RevisionMetrics,
    Seminar,
    SyncRun,
    Topic,
)
from ..models._types import utcnow
from ..wiki.types import NS_MAIN
from .alerts import SEVERITY_ORDER, Alert, AlertSettings, seminar_alerts
from .charts import Series, bar_chart, cumulative, line_chart, weekly
from .figures import (
    StudentFigures,
    _window,
    namespace_group,
    seminar_totals,
    student_figures,
)
from .revisions import revision_flags
from .snapshot import Snapshot, seminar_snapshot

__all__ = [
    "ACCOUNT_ORDER",
    "SORT_COLUMNS",
    "ArticleRef",
    "ChartTexts",
    "ProgressCharts",
    "ProgressRow",
    "RevisionLine",
    "Memo",
    "SeminarProgress",
    "DataVersion",
    "data_version",
    "filter_rows",
    "progress_charts",
    "progress_document",
    "seminar_progress",
    "sort_rows",
    "student_pages",
    "student_revisions",
]

ACCOUNT_ORDER = {"missing": 0, "unverified": 1, "verified": 2}
STATUS_ORDER = {None: 0, AssignmentStatus.REJECTED.value: 1,
                AssignmentStatus.CHANGES_REQUESTED.value: 2, AssignmentStatus.PROPOSED.value: 3,
                AssignmentStatus.APPROVED.value: 4}
CHART_STUDENTS = 8  # lines in the per-student chart (the palette has 8 colours)


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """An article of a student's assignment, with the stored page when there is one."""

    title: str
    kind: str
    page_pk: int | None
    exists: bool | None
    deleted: bool
    sandbox_title: str | None


@dataclass(slots=True)
class ProgressRow:
    """One participant's line on the dashboard."""

    figures: StudentFigures
    topic: str | None
    status: str | None
    articles: list[ArticleRef]
    alerts: list[Alert]

    @property
    def participant_id(self) -> int:
        """The participant this row describes."""
        return self.figures.participant_id

    @property
    def attention(self) -> bool:
        """Whether something needs doing about this participant (any alert, a pending topic too)."""
        return bool(self.alerts)

    @property
    def severity_score(self) -> tuple[int, int]:
        """For sorting by alerts: the worst severity first, then the number of alerts."""
        worst = min((SEVERITY_ORDER[a.severity] for a in self.alerts), default=len(SEVERITY_ORDER))
        return (len(SEVERITY_ORDER) - worst, len(self.alerts))


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The last finished or running sync of the seminar, as plain data (it outlives a session)."""

    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    trigger: str
    revisions_added: int
    error: str | None


@dataclass(slots=True)
class SeminarProgress:
    """Everything the dashboard shows, as of `generated_at`."""

    rows: list[ProgressRow]
    totals: dict[str, int]
    last_sync_at: dt.datetime | None
    last_run: RunSummary | None
    sync_running: bool
    generated_at: dt.datetime
    alert_counts: dict[str, int] = field(default_factory=dict)

    @property
    def attention_count(self) -> int:
        """Participants who need attention."""
        return sum(1 for r in self.rows if r.attention)

    @property
    def unmeasured(self) -> int:
        """Revisions counted in these figures that are stored but not measured yet."""
        return sum(r.figures.unmeasured_edits for r in self.rows)


# What `data_version` returns: (what the figures rest on, the rest of what the dashboard shows).
DataVersion = tuple[tuple[Any, ...], tuple[Any, ...]]

# Sort keys; None (not computed) always sorts last whatever the direction.
SORT_COLUMNS: dict[str, Callable[[ProgressRow], Any]] = {
    "name": lambda r: r.figures.name.casefold(),
    "role": lambda r: r.figures.role,
    "account": lambda r: ACCOUNT_ORDER.get(r.figures.account_status, 0),
    "topic": lambda r: (r.topic or "").casefold() or None,
    "status": lambda r: STATUS_ORDER.get(r.status, 0),
    "articles": lambda r: len(r.articles),
    "edits": lambda r: r.figures.edits,
    "words": lambda r: r.figures.words_added,
    "references": lambda r: r.figures.references_added,
    "created": lambda r: r.figures.articles_created,
    "share": lambda r: r.figures.authorship_share,
    "reverted": lambda r: r.figures.reverted_edits,
    "last_edit": lambda r: r.figures.last_edit,
    "alerts": lambda r: r.severity_score,
}


def sort_rows(rows: Iterable[ProgressRow], column: str, descending: bool = False) -> list[ProgressRow]:
    """Rows sorted on a SORT_COLUMNS key, ties broken by name; unknown values last."""
    key = SORT_COLUMNS.get(column, SORT_COLUMNS["name"])
    by_name = sorted(rows, key=lambda r: (r.figures.name.casefold(), r.participant_id))
    known = [r for r in by_name if key(r) is not None]
    unknown = [r for r in by_name if key(r) is None]
    return sorted(known, key=key, reverse=descending) + unknown


def filter_rows(rows: Iterable[ProgressRow], who: str = "all", attention: bool = False) -> list[ProgressRow]:
    """Keep students, auditors or all; optionally only those who need attention."""
    kept = []
    for row in rows:
        if who == "students" and row.figures.role != "student":
            continue
        if who == "auditors" and row.figures.role != "auditor":
            continue
        if attention and not row.attention:
            continue
        kept.append(row)
    return kept


def _assignments(session: DbSession, participant_ids: Sequence[int]) -> dict[int, Assignment]:
    """participant id -> assignment, with topic and articles loaded in two queries."""
    return {a.participant_id: a for a in session.scalars(
        sa.select(Assignment).where(Assignment.participant_id.in_(list(participant_ids) or [-1]))
        .options(so.selectinload(Assignment.articles), so.joinedload(Assignment.topic)))}


def _article_refs(session: DbSession, seminar: Seminar,
                  articles: Iterable[AssignedArticle]) -> dict[int, ArticleRef]:
    """AssignedArticle.id -> ArticleRef with the stored page (by page id, else by title)."""
    articles = list(articles)
    page_ids = [a.wiki_page_id for a in articles if a.wiki_page_id]
    titles = [a.title for a in articles]
    pages = list(session.scalars(sa.select(Page).where(
        Page.wiki_id == seminar.wiki_id,
        sa.or_(Page.page_id.in_(page_ids or [-1]),
               sa.and_(Page.title.in_(titles or [""]), Page.namespace == NS_MAIN)))))
    by_id = {p.page_id: p for p in pages}
    by_title = {p.title: p for p in sorted(pages, key=lambda p: not p.deleted)}
    refs = {}
    for art in articles:
        page = by_id.get(art.wiki_page_id or -1) or by_title.get(art.title)
        refs[art.id] = ArticleRef(art.title, str(art.kind), page.id if page else None,
                                  (not page.deleted) if page else art.exists_on_wiki,
                                  bool(page and page.deleted), art.sandbox_title)
    return refs


def seminar_progress(session: DbSession, seminar: Seminar, settings: AlertSettings, *,
                     include_removed: bool = False,
                     version: DataVersion | None = None) -> SeminarProgress:
    """Figures, topics, articles and alerts of every student and auditor, and the sync state.

    Computed once per version of the seminar's data (see `data_version`) and kept in memory:
    revisions, metrics and authorship only change during a sync, so the dashboard's queries
    over thousands of revisions run once per sync, not once per page view.
    """
    version = version if version is not None else data_version(session, seminar)
    key = ("progress", seminar.id, include_removed, settings, version)
    progress = _CACHE.get(key)
    if progress is None:
        progress = _compute_progress(session, seminar, settings, include_removed, version)
        _CACHE.put(key, progress)
    return dataclasses.replace(progress, sync_running=sync_is_running(seminar))


def _snapshot(session: DbSession, seminar: Seminar, version: DataVersion) -> Snapshot:
    """The seminar's figures and timeline at `version`, read once per process: from the
    database's snapshot when one matches, else computed (reports/snapshot.py)."""
    key = ("snapshot", seminar.id, version[0])  # the part the figures rest on
    snapshot = _CACHE.get(key)
    if snapshot is None:
        snapshot = seminar_snapshot(session, seminar, version)
        _CACHE.put(key, snapshot)
    return snapshot


def _compute_progress(session: DbSession, seminar: Seminar, settings: AlertSettings,
                      include_removed: bool, version: DataVersion) -> SeminarProgress:
    """The dashboard's data from the database (no in-process cache)."""
    if include_removed:
        figures = student_figures(session, seminar, include_removed=True)
    else:
        figures = _snapshot(session, seminar, version).figures
    alerts = seminar_alerts(session, seminar, figures, settings)
    assignments = _assignments(session, [f.participant_id for f in figures])
    refs = _article_refs(session, seminar, (a for asg in assignments.values() for a in asg.articles))
    rows = []
    counts: dict[str, int] = {}
    for fig in figures:
        assignment = assignments.get(fig.participant_id)
        found = alerts.get(fig.participant_id, [])
        for alert in found:
            counts[alert.rule] = counts.get(alert.rule, 0) + 1
        rows.append(ProgressRow(
            figures=fig,
            topic=assignment.topic.title if assignment and assignment.topic else None,
            status=str(assignment.status) if assignment else None,
            articles=[refs[a.id] for a in assignment.articles] if assignment else [],
            alerts=found,
        ))
    run = session.scalar(sa.select(SyncRun).where(
        SyncRun.seminar_id == seminar.id, SyncRun.status != "skipped")
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(1))
    last_run = None if run is None else RunSummary(
        run.status, run.started_at, run.finished_at, run.trigger, run.revisions_added, run.error)
    return SeminarProgress(rows=rows, totals=seminar_totals(figures),
                           last_sync_at=seminar.last_sync_at, last_run=last_run,
                           sync_running=False, generated_at=utcnow(), alert_counts=counts)


def data_version(session: DbSession, seminar: Seminar) -> DataVersion:
    """A fingerprint of everything the dashboard reads that can change outside a sync.

    Two parts. First, what the figures and the timeline rest on: the seminar's dates and time
    zone, its participants (accounts, roles, claims, removals), integrity verdicts, submitted
    peer reviews, and the last sync run to finish (a sync changes revisions, metrics, pages,
    authorship and quality, and always ends by finishing its run); the figure snapshots
    (reports/snapshot.py) are keyed by this part alone, so approving a topic does not make
    the next view read every revision again. Second, the rest of what the dashboard shows:
    alert settings, topics, assignments and their articles. A handful of rows: cheap to read
    on every view, unlike the revisions. The in-process cache is keyed by both parts.
    """
    people = session.execute(
        sa.select(Participant.id, Participant.name, Participant.role, Participant.wiki_username,
                  Participant.wiki_user_id, Participant.wiki_verified, Participant.removed_at,
                  Participant.claim_of_id)
        .where(Participant.seminar_id == seminar.id).order_by(Participant.id)).all()
    work = session.execute(
        sa.select(Assignment.id, Assignment.participant_id, Assignment.status, Assignment.topic_id,
                  Assignment.updated_at, AssignedArticle.id, AssignedArticle.title,
                  AssignedArticle.kind, AssignedArticle.sandbox_title, AssignedArticle.wiki_page_id,
                  AssignedArticle.sandbox_page_id, AssignedArticle.exists_on_wiki)
        .join(Participant, Participant.id == Assignment.participant_id)
        .outerjoin(AssignedArticle, AssignedArticle.assignment_id == Assignment.id)
        .where(Participant.seminar_id == seminar.id)
        .order_by(Assignment.id, AssignedArticle.id)).all()
    topics = session.execute(sa.select(Topic.id, Topic.title).where(
        Topic.seminar_id == seminar.id).order_by(Topic.id)).all()
    run = session.execute(
        sa.select(SyncRun.id, SyncRun.status, SyncRun.finished_at)
        .where(SyncRun.seminar_id == seminar.id, SyncRun.finished_at.is_not(None))
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(1)).all()
    from ..models import IntegrityFinding

    findings = session.execute(
        sa.select(sa.func.count(IntegrityFinding.id), sa.func.count(IntegrityFinding.verdict),
                  sa.func.max(IntegrityFinding.judged_at), sa.func.max(IntegrityFinding.id))
        .where(IntegrityFinding.seminar_id == seminar.id)).all()
    from ..models import PeerReview  # the review figures (reviews_submitted, review_score)

    scores = [sa.func.coalesce(sa.func.sum(column), 0) for column in (
        PeerReview.sources_score, PeerReview.neutrality_score, PeerReview.structure_score,
        PeerReview.clarity_score)]
    reviews = session.execute(
        sa.select(sa.func.count(PeerReview.id), sa.func.max(PeerReview.submitted_at), *scores)
        .where(PeerReview.seminar_id == seminar.id, PeerReview.submitted_at.is_not(None))).all()
    figures = (str(session.get_bind().engine.url), seminar.id, seminar.slug, seminar.wiki_id,
               seminar.start_date, seminar.end_date, seminar.timezone, seminar.last_sync_at,
               *(tuple(r) for r in people), *(tuple(r) for r in run),
               *(tuple(r) for r in findings), *(tuple(r) for r in reviews))
    rest = (seminar.restitution_at, seminar.alert_no_edit_days,
            *(tuple(r) for r in work), *(tuple(r) for r in topics))
    return figures, rest


class Memo:
    """A small thread-safe LRU of computed dashboards (per process: each worker has its own)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        """The value stored under key, None when absent."""
        with self.lock:
            if key not in self.items:
                return None
            self.items.move_to_end(key)
            return self.items[key]

    def put(self, key: Any, value: Any) -> None:
        """Store a value, dropping the least recently used beyond `size`."""
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self.lock:
            self.items.clear()


_CACHE = Memo()


def sync_is_running(seminar: Seminar, now: dt.datetime | None = None) -> bool:
    """Whether some process holds the seminar's sync lock right now."""
    now = now or utcnow()
    return bool(seminar.sync_lock_owner and seminar.sync_lock_expires
                and seminar.sync_lock_expires > now)


# -- charts ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartTexts:
    """The words of the charts, in the reader's language (the view translates them)."""

    words_title: str
    words_label: str
    total_title: str
    total_series: str
    edits_title: str
    edits_label: str
    date_format: str = "%d/%m"


@dataclass(slots=True)
class ProgressCharts:
    """Three SVG charts and the weekly figures they show (the text alternative)."""

    words: Markup
    total: Markup
    edits: Markup
    weeks: list[tuple[dt.date, int, int]]
    shown: list[str]


def progress_charts(session: DbSession, seminar: Seminar, rows: Sequence[ProgressRow],
                    texts: ChartTexts, *, today: dt.date | None = None,
                    version: DataVersion | None = None) -> ProgressCharts:
    """Cumulative words per student (the most active ones), for the seminar, and edits per week."""
    today = today or dt.date.today()
    version = version if version is not None else data_version(session, seminar)
    key = ("charts", seminar.id, tuple((r.participant_id, r.figures.name) for r in rows), texts,
           today, version)
    charts = _CACHE.get(key)
    if charts is None:
        charts = _compute_charts(session, seminar, rows, texts, today, version)
        _CACHE.put(key, charts)
    return charts


def _compute_charts(session: DbSession, seminar: Seminar, rows: Sequence[ProgressRow],
                    texts: ChartTexts, today: dt.date, version: DataVersion) -> ProgressCharts:
    """The three charts from the timeline (no in-process cache)."""
    names = {r.participant_id: r.figures.name for r in rows}
    series_by_pid = {pid: points for pid, points in _snapshot(session, seminar, version).timeline.items()
                     if pid in names}
    start = seminar.start_date
    end = min(seminar.end_date, today)
    if end < start:
        end = seminar.end_date
    top = sorted(series_by_pid, key=lambda pid: (-sum(w for _, _, w in series_by_pid[pid]), names[pid]))
    top = [pid for pid in top if any(w for _, _, w in series_by_pid[pid])][:CHART_STUDENTS]
    lines = [Series(names[pid], _extend(cumulative([(d, w) for d, _, w in series_by_pid[pid]]), end))
             for pid in top]
    words_chart = line_chart(lines, title=texts.words_title, y_label=texts.words_label,
                             start=start, end=end, date_format=texts.date_format,
                             chart_id="chart-words")
    daily_words: dict[dt.date, int] = {}
    daily_edits: dict[dt.date, int] = {}
    for points in series_by_pid.values():
        for day, edits, words in points:
            daily_words[day] = daily_words.get(day, 0) + words
            daily_edits[day] = daily_edits.get(day, 0) + edits
    total_points = _extend(cumulative(sorted(daily_words.items())), end)
    total_chart = line_chart([Series(texts.total_series, total_points)], title=texts.total_title,
                             y_label=texts.words_label, start=start, end=end,
                             date_format=texts.date_format, chart_id="chart-total")
    weekly_edits = dict(weekly(sorted(daily_edits.items())))
    weekly_words = dict(weekly(sorted(daily_words.items())))
    monday = start - dt.timedelta(days=start.weekday())
    weeks = []
    while monday <= end:
        weeks.append((monday, int(weekly_edits.get(monday, 0)), int(weekly_words.get(monday, 0))))
        monday += dt.timedelta(days=7)
    edits_chart = bar_chart([(w, e) for w, e, _ in weeks], title=texts.edits_title,
                            y_label=texts.edits_label, date_format=texts.date_format,
                            chart_id="chart-edits")
    return ProgressCharts(words_chart, total_chart, edits_chart, weeks, [names[pid] for pid in top])


def _extend(points: list[tuple[dt.date, float]], end: dt.date) -> list[tuple[dt.date, float]]:
    """Carry a cumulative series flat to `end`, so every line reaches the right edge."""
    if points and points[-1][0] < end:
        return [*points, (end, points[-1][1])]
    return points


# -- JSON -----------------------------------------------------------------------------------

FIGURE_FIELDS = (
    "edits", "article_edits", "sandbox_edits", "talk_edits", "pages_edited", "words_added",
    "words_removed", "references_added", "references_removed", "cited_references_added",
    "sections_added", "wikilinks_added", "external_links_added", "files_added",
    "templates_added", "infoboxes_added", "categories_added", "articles_created",
    "reverted_edits", "reverted_words", "unmeasured_edits", "first_edit", "last_edit",
    "authorship_words", "authorship_total_words", "authorship_share", "survival_now",
    "survival_7d",
)


def progress_document(seminar: Seminar, progress: SeminarProgress,
                      translate: Callable[[str], str] = str) -> dict[str, Any]:
    """The dashboard as a JSON-ready dict (see docs/api.md); `translate` renders alert texts."""
    run = progress.last_run
    return {
        "seminar": {
            "slug": seminar.slug, "title": seminar.title, "wiki": seminar.wiki.api_url,
            "start_date": seminar.start_date, "end_date": seminar.end_date,
            "restitution_at": seminar.restitution_at, "timezone": seminar.timezone,
        },
        "generated_at": progress.generated_at,
        "last_sync": {
            "at": progress.last_sync_at,
            "running": progress.sync_running,
            "last_run": None if run is None else {
                "status": run.status, "started_at": run.started_at, "finished_at": run.finished_at,
                "trigger": run.trigger, "revisions_added": run.revisions_added,
                "error": run.error,
            },
        },
        "totals": progress.totals,
        "alert_counts": progress.alert_counts,
        "students": [
            {
                "id": row.participant_id, "name": row.figures.name, "role": row.figures.role,
                "account_status": row.figures.account_status,
                "wiki_username": row.figures.wiki_username,
                "topic": row.topic, "topic_status": row.status,
                "articles": [{"title": a.title, "kind": a.kind, "page_pk": a.page_pk,
                              "exists": a.exists, "deleted": a.deleted,
                              "sandbox": a.sandbox_title} for a in row.articles],
                "figures": {name: getattr(row.figures, name) for name in FIGURE_FIELDS},
                "words_by_group": row.figures.words_by_group,
                "needs_attention": row.attention,
                "alerts": [a.to_dict(translate) for a in row.alerts],
            }
            for row in progress.rows
        ],
    }


# -- one student's revisions ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RevisionLine:
    """One revision on a student's page, with its metrics and revert marks."""

    rev_id: int
    timestamp: dt.datetime
    page_pk: int
    title: str
    title_then: str
    namespace: int
    namespace_then: int
    group: str
    group_then: str
    measured: bool
    words_added: int
    words_removed: int
    references_added: int
    references_removed: int
    size_diff: int | None
    flags: tuple[str, ...]
    reverted: bool
    reverted_by: int | None
    is_revert: bool
    page_deleted: bool
    comment: str | None


def student_revisions(session: DbSession, seminar: Seminar, participant: Participant, *,
                      limit: int = 200, offset: int = 0) -> tuple[list[RevisionLine], int]:
    """The participant's revisions in the seminar's window, newest first; and how many in all."""
    if not participant.wiki_user_id:
        return [], 0
    m = RevisionMetrics
    where = [*_window(seminar, None, None), Revision.user_id == participant.wiki_user_id]
    total = session.scalar(sa.select(sa.func.count(Revision.id)).where(*where)) or 0
    rows = session.execute(
        sa.select(Revision, Page, m).join(Page, Page.id == Revision.page_pk)
        .outerjoin(m, m.revision_id == Revision.id).where(*where)
        .order_by(Revision.timestamp.desc(), Revision.rev_id.desc()).limit(limit).offset(offset)
    ).all()
    lines = []
    for rev, page, metrics in rows:
        flags = list(revision_flags(rev)) + list((metrics.flags or []) if metrics else [])
        lines.append(RevisionLine(
            rev_id=rev.rev_id, timestamp=rev.timestamp, page_pk=page.id, title=page.title,
            title_then=rev.title or page.title, namespace=page.namespace,
            namespace_then=rev.namespace, group=namespace_group(page.namespace),
            group_then=namespace_group(rev.namespace), measured=metrics is not None,
            words_added=metrics.words_added if metrics else 0,
            words_removed=metrics.words_removed if metrics else 0,
            references_added=metrics.references_added if metrics else 0,
            references_removed=metrics.references_removed if metrics else 0,
            size_diff=rev.size_diff, flags=tuple(flags),
            reverted=bool(metrics and metrics.reverted),
            reverted_by=metrics.reverted_by if metrics else None,
            is_revert=bool(metrics and metrics.is_revert), page_deleted=page.deleted,
            comment=None if rev.comment_hidden else rev.comment,
        ))
    return lines, total


def student_pages(session: DbSession, seminar: Seminar, participant: Participant) -> list[int]:
    """Page.id of every page the participant edited inside the seminar's dates."""
    if not participant.wiki_user_id:
        return []
    return list(session.scalars(sa.select(Revision.page_pk).where(
        *_window(seminar, None, None), Revision.user_id == participant.wiki_user_id).distinct()))
