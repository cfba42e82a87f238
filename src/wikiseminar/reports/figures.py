"""Per-student, per-article and per-seminar figures: the one place where stored rows become numbers.

Every page, export, PDF and grade reads these functions; none computes a figure itself.

Definitions (see also docs/metrics.md for what each revision metric counts):
- a revision *counts* for a seminar when its author is a participant (student or auditor) and
  its timestamp is inside the seminar's dates, optionally before a cut-off (the freeze date);
- *content* edits are those whose page is now an article, a user page (sandbox) or a draft;
  talk-page edits are counted apart; the namespace used is the page's **current** one, so a
  sandbox draft later moved to the article space counts as an article contribution (the
  namespace at edit time is reported too);
- *lasting* figures leave out revisions that were reverted and revisions that are themselves
  reverts (restoring text is not writing it); reverted work is reported apart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import (
    AuthorshipFigure,
    Page,
    Participant,
    Revision,
    RevisionMetrics,
    Seminar,
)
from ..models.wiki import APP_PAGES_WHERE
from ..scope import counted
from ..services.messages import N_
from ..wiki.types import NS_MAIN

__all__ = [
    "SUMMED",
    "STUDENT_METRICS",
    "ArticleFigures",
    "StudentFigures",
    "StudentMetric",
    "article_figures",
    "namespace_group",
    "seminar_totals",
    "student_figures",
    "timeline",
]

# Revision metrics summed per student over lasting content edits.
SUMMED = (
    "words_added", "words_removed", "chars_added", "references_added", "references_removed",
    "cited_references_added", "sections_added", "wikilinks_added", "external_links_added",
    "files_added", "templates_added", "infoboxes_added", "categories_added",
)


@dataclass(frozen=True, slots=True)
class StudentMetric:
    """A per-student figure that dashboards, exports and rubric criteria can name."""

    id: str
    label: str  # English msgid (marked with N_): translate with gettext() when shown
    description: str
    kind: str = "count"  # count | ratio | date


STUDENT_METRICS: tuple[StudentMetric, ...] = (
    StudentMetric("edits", N_("Edits"), N_("Revisions inside the seminar's dates, every namespace followed.")),
    StudentMetric("article_edits", N_("Article edits"), N_("Revisions of pages that are now articles.")),
    StudentMetric("pages_edited", N_("Pages edited"), N_("Distinct pages the student edited.")),
    StudentMetric("words_added", N_("Words added"), N_("Prose words added in lasting content edits.")),
    StudentMetric("words_removed", N_("Words removed"), N_("Prose words removed in lasting content edits.")),
    StudentMetric("chars_added", N_("Characters added"), N_("Characters of prose added in lasting content edits.")),
    StudentMetric("references_added", N_("References added"), N_("New <ref> sources in lasting content edits.")),
    StudentMetric("references_removed", N_("References removed"), N_("<ref> sources removed in lasting content edits.")),
    StudentMetric("cited_references_added", N_("Cited references"), N_("New references that use a citation template.")),
    StudentMetric("sections_added", N_("Sections added"), N_("Headings added in lasting content edits.")),
    StudentMetric("wikilinks_added", N_("Wikilinks added"), N_("Internal links added in lasting content edits.")),
    StudentMetric("external_links_added", N_("External links added"), N_("External links added in lasting content edits.")),
    StudentMetric("files_added", N_("Files added"), N_("Images and other files added in lasting content edits.")),
    StudentMetric("templates_added", N_("Templates added"), N_("Templates added in lasting content edits.")),
    StudentMetric("infoboxes_added", N_("Infoboxes added"), N_("Infobox templates added in lasting content edits.")),
    StudentMetric("categories_added", N_("Categories added"), N_("Categories added in lasting content edits.")),
    StudentMetric("articles_created", N_("Articles created"), N_("Pages now in the article space whose first revision is the student's (redirects excluded).")),
    StudentMetric("talk_edits", N_("Talk edits"), N_("Revisions of talk pages.")),
    StudentMetric("reverted_edits", N_("Reverted edits"), N_("The student's revisions later undone by a revert.")),
    StudentMetric("reverted_words", N_("Reverted words"), N_("Words the student added in revisions that were reverted.")),
    StudentMetric("authorship_words", N_("Words still in the articles"), N_("Words of the current articles the student introduced (authorship).")),
    StudentMetric("authorship_share", N_("Share of the articles"), N_("Fraction of the current text of the student's articles that the student introduced."), "ratio"),
    StudentMetric("survival_now", N_("Survival"), N_("Of the words the student added during the seminar, the share still present now."), "ratio"),
    StudentMetric("survival_7d", N_("Survival after 7 days"), N_("Of those words, the share still present 7 days after they were added."), "ratio"),
    StudentMetric("integrity_clean", N_("Edits without a confirmed integrity problem"), N_("Share of the student's edits on which the instructor confirmed no integrity finding (copied text, impossible citation, AI traces); unjudged findings do not count."), "ratio"),
    StudentMetric("quality_gain", N_("Quality classes gained (estimate)"), N_("Best gain of the app's quality estimate over the student's articles, in classes (ébauche → B = 2; a created article starts at the lowest class).")),
    StudentMetric("rating_gain", N_("Quality classes gained (wiki rating)"), N_("Best gain of the talk-page rating over the student's rated articles, in classes.")),
    StudentMetric("reviews_submitted", N_("Peer reviews submitted"), N_("Peer reviews of other students' drafts the student submitted.")),
    StudentMetric("review_score", N_("Score from peer reviews"), N_("Mean score the student's draft received in submitted peer reviews, as a share of the top score (4 out of 4)."), "ratio"),
)


def namespace_group(namespace: int) -> str:
    """'article', 'sandbox' (user pages and drafts) or 'talk'."""
    if namespace % 2 == 1:
        return "talk"
    if namespace == NS_MAIN:
        return "article"
    return "sandbox"


@dataclass(slots=True)
class StudentFigures:
    """Everything measured for one participant, as of a cut-off."""

    participant_id: int
    name: str
    role: str
    account_status: str
    wiki_username: str | None
    edits: int = 0
    article_edits: int = 0
    sandbox_edits: int = 0
    talk_edits: int = 0
    pages_edited: int = 0
    words_added: int = 0
    words_removed: int = 0
    chars_added: int = 0
    references_added: int = 0
    references_removed: int = 0
    cited_references_added: int = 0
    sections_added: int = 0
    wikilinks_added: int = 0
    external_links_added: int = 0
    files_added: int = 0
    templates_added: int = 0
    infoboxes_added: int = 0
    categories_added: int = 0
    articles_created: int = 0
    reverted_edits: int = 0
    reverted_words: int = 0
    unmeasured_edits: int = 0
    first_edit: dt.datetime | None = None
    last_edit: dt.datetime | None = None
    # Words added by namespace group: now (current namespace) and at edit time.
    words_by_group: dict[str, int] = field(default_factory=dict)
    words_by_group_at_edit: dict[str, int] = field(default_factory=dict)
    # Authorship over the student's tracked articles (None: not computed yet).
    authorship_words: int | None = None
    authorship_total_words: int | None = None
    authorship_share: float | None = None
    authorship_added: int | None = None
    survival_now: float | None = None
    survival_7d: float | None = None
    integrity_clean: float | None = None
    # Quality gains over the student's articles (reports/quality.py; None: not assessed).
    quality_gain: int | None = None
    rating_gain: int | None = None
    # Peer review (reports/reviews.py): reviews written, mean score received (None: none).
    reviews_submitted: int = 0
    review_score: float | None = None

    def value(self, metric_id: str) -> Any:
        """A figure by its metric id (the grading rubric and the exports use this)."""
        return getattr(self, metric_id)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return asdict(self)


def app_pages() -> Any:
    """The pages the app itself asks students to write (`User:Name/wikiseminar`, to link an
    account): not contributions, so no figure, page list or report counts them.

    The predicate is written inline, as the partial index `ix_page_app_pages` has it: with a
    bound parameter PostgreSQL could not use that index and would read every page instead.
    """
    return sa.select(Page.id).where(sa.text(APP_PAGES_WHERE)).correlate(None)


def _window(seminar: Seminar, until: dt.datetime | None, since: dt.datetime | None) -> list[Any]:
    """Conditions selecting the seminar's revisions, optionally cut at `until` / from `since`.

    Revisions of the app's own pages (`app_pages`) are left out: every figure starts here.
    """
    end = seminar.end_at if until is None else min(until, seminar.end_at)
    conditions = [Revision.wiki_id == seminar.wiki_id,
                  Revision.timestamp >= max(seminar.start_at, since or seminar.start_at),
                  Revision.timestamp < end,
                  Revision.page_pk.not_in(app_pages())]
    return conditions


def _participants(session: DbSession, seminar: Seminar, include_removed: bool) -> list[Participant]:
    query = sa.select(Participant).where(Participant.seminar_id == seminar.id,
                                         counted())
    if not include_removed:
        query = query.where(Participant.removed_at.is_(None))
    return list(session.scalars(query.order_by(Participant.name, Participant.id)))


def _page_kinds(session: DbSession, page_pks: set[int]) -> dict[int, tuple[int, bool]]:
    """Page.id -> (current namespace, redirect) of these pages, read by primary key."""
    if not page_pks:
        return {}
    return {pk: (namespace, redirect) for pk, namespace, redirect in session.execute(
        sa.select(Page.id, Page.namespace, Page.redirect).where(Page.id.in_(page_pks)))}


def student_figures(
    session: DbSession,
    seminar: Seminar,
    *,
    until: dt.datetime | None = None,
    since: dt.datetime | None = None,
    include_removed: bool = False,
) -> list[StudentFigures]:
    """Figures of every student and auditor of the seminar, in name order."""
    participants = _participants(session, seminar, include_removed)
    figures = {p.id: StudentFigures(p.id, p.name, str(p.role), p.account_status, p.wiki_username)
               for p in participants}
    by_user = {p.wiki_user_id: p.id for p in participants if p.wiki_user_id}
    if not by_user:
        return list(figures.values())
    m = RevisionMetrics
    lasting = sa.and_(m.revision_id.is_not(None), m.reverted.is_(False), m.is_revert.is_(False))
    creation = sa.and_(Revision.page_creation.is_(True),
                       sa.or_(m.is_redirect.is_(None), m.is_redirect.is_(False)))
    columns = [
        Revision.user_id, Revision.page_pk, Revision.namespace,
        sa.func.count(Revision.id).label("edits"),
        sa.func.min(Revision.timestamp).label("first"),
        sa.func.max(Revision.timestamp).label("last"),
        sa.func.sum(sa.case((m.revision_id.is_(None), 1), else_=0)).label("unmeasured"),
        sa.func.sum(sa.case((m.reverted.is_(True), 1), else_=0)).label("reverted_edits"),
        sa.func.sum(sa.case((m.reverted.is_(True), m.words_added), else_=0)).label("reverted_words"),
        sa.func.sum(sa.case((creation, 1), else_=0)).label("creations"),
    ] + [sa.func.sum(sa.case((lasting, getattr(m, name)), else_=0)).label(name) for name in SUMMED]
    # One pass over the seminar's revisions, per student and page; the pages' current
    # namespaces are then read by primary key. Joining `page` in the aggregate instead made
    # PostgreSQL hash the whole table (every seminar's pages) on each first view.
    rows = session.execute(
        sa.select(*columns)
        .outerjoin(m, m.revision_id == Revision.id)
        .where(*_window(seminar, until, since), Revision.user_id.in_(list(by_user)))
        .group_by(Revision.user_id, Revision.page_pk, Revision.namespace)
    ).all()
    pages = _page_kinds(session, {row.page_pk for row in rows})
    edited: dict[int, set[int]] = defaultdict(set)
    created: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        f = figures[by_user[row.user_id]]
        namespace, redirect = pages[row.page_pk]
        now = namespace_group(namespace)
        edited[f.participant_id].add(row.page_pk)
        if row.creations and namespace == NS_MAIN and not redirect:
            created[f.participant_id].add(row.page_pk)
        f.edits += row.edits
        f.unmeasured_edits += row.unmeasured or 0
        f.first_edit = min(filter(None, (f.first_edit, row.first)), default=None)
        f.last_edit = max(filter(None, (f.last_edit, row.last)), default=None)
        if now == "talk":
            f.talk_edits += row.edits
            continue
        if now == "article":
            f.article_edits += row.edits
        else:
            f.sandbox_edits += row.edits
        for name in SUMMED:
            setattr(f, name, getattr(f, name) + (getattr(row, name) or 0))
        f.reverted_edits += row.reverted_edits or 0
        f.reverted_words += row.reverted_words or 0
        f.words_by_group[now] = f.words_by_group.get(now, 0) + (row.words_added or 0)
        then = namespace_group(row.namespace)
        f.words_by_group_at_edit[then] = f.words_by_group_at_edit.get(then, 0) + (row.words_added or 0)
    for pid, page_set in edited.items():
        figures[pid].pages_edited = len(page_set)
    for pid, page_set in created.items():
        figures[pid].articles_created = len(page_set)
    _add_authorship(session, seminar, figures)
    _add_integrity(session, seminar, figures, until, since)
    from .quality import add_quality_gains  # quality.py builds on this module

    add_quality_gains(session, seminar, figures, by_user, until=until, since=since)
    from .reviews import add_review_figures

    add_review_figures(session, seminar, figures)
    return list(figures.values())


def _add_integrity(session: DbSession, seminar: Seminar, figures: dict[int, StudentFigures],
                   until: dt.datetime | None, since: dt.datetime | None) -> None:
    """Share of each student's edits with no finding the instructor confirmed."""
    from ..models import IntegrityFinding, Verdict

    rows = session.execute(
        sa.select(IntegrityFinding.participant_id,
                  sa.func.count(sa.distinct(IntegrityFinding.revision_id)))
        .join(Revision, Revision.id == IntegrityFinding.revision_id)
        .where(IntegrityFinding.seminar_id == seminar.id,
               IntegrityFinding.verdict == Verdict.CONFIRMED, *_window(seminar, until, since))
        .group_by(IntegrityFinding.participant_id)).all()
    confirmed = dict(rows)
    for pid, f in figures.items():
        if f.edits:
            f.integrity_clean = 1 - min(confirmed.get(pid, 0), f.edits) / f.edits


def _add_authorship(session: DbSession, seminar: Seminar, figures: dict[int, StudentFigures]) -> None:
    """Fold the stored authorship figures (per article) into per-student totals."""
    rows = session.scalars(sa.select(AuthorshipFigure).join(Page).where(
        AuthorshipFigure.seminar_id == seminar.id, Page.deleted.is_(False),
        Page.id.not_in(app_pages())))
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if row.participant_id not in figures:
            continue
        t = totals[row.participant_id]
        t["words"] += row.words
        t["total"] += row.total_words
        t["added"] += row.added
        t["now"] += row.surviving_now
        t["7d"] += row.surviving_7d
        t["7d_base"] += row.added - row.pending_7d
        t["articles"] += 1
    for pid, t in totals.items():
        f = figures[pid]
        f.authorship_words = t["words"]
        f.authorship_total_words = t["total"]
        f.authorship_share = t["words"] / t["total"] if t["total"] else 0.0
        f.authorship_added = t["added"]
        f.survival_now = t["now"] / t["added"] if t["added"] else None
        f.survival_7d = t["7d"] / t["7d_base"] if t["7d_base"] else None


def seminar_totals(figures: list[StudentFigures]) -> dict[str, int]:
    """Sums over the students (auditors are counted apart)."""
    totals: dict[str, int] = defaultdict(int)
    for f in figures:
        prefix = "" if f.role == "student" else "auditor_"
        for key in ("edits", "words_added", "references_added", "articles_created", "reverted_edits",
                    "pages_edited"):
            totals[prefix + key] += getattr(f, key)
        totals[prefix + "participants"] += 1
        totals[prefix + "active"] += 1 if f.edits else 0
    return dict(totals)


@dataclass(slots=True)
class ArticleFigures:
    """One page the seminar touched: who did what on it."""

    page_pk: int
    page_id: int
    title: str
    namespace: int
    deleted: bool
    redirect: bool
    created_by: str | None
    edits: int = 0
    words_added: int = 0
    references_added: int = 0
    by_student: dict[int, dict[str, Any]] = field(default_factory=dict)


def article_figures(session: DbSession, seminar: Seminar, *, page_pks: list[int] | None = None,
                    until: dt.datetime | None = None) -> list[ArticleFigures]:
    """Per-page figures across students (lasting content edits), with authorship where computed."""
    participants = {p.wiki_user_id: p for p in _participants(session, seminar, True) if p.wiki_user_id}
    if not participants:
        return []
    m = RevisionMetrics
    lasting = sa.and_(m.revision_id.is_not(None), m.reverted.is_(False), m.is_revert.is_(False))
    query = (
        sa.select(Revision.page_pk, Revision.user_id, sa.func.count(Revision.id),
                  sa.func.sum(sa.case((lasting, m.words_added), else_=0)),
                  sa.func.sum(sa.case((lasting, m.references_added), else_=0)),
                  sa.func.sum(sa.case((Revision.page_creation.is_(True), 1), else_=0)))
        .outerjoin(m, m.revision_id == Revision.id)
        .where(*_window(seminar, until, None), Revision.user_id.in_(list(participants)))
        .group_by(Revision.page_pk, Revision.user_id)
    )
    if page_pks is not None:
        query = query.where(Revision.page_pk.in_(page_pks))
    rows = session.execute(query).all()
    pages = {p.id: p for p in session.scalars(sa.select(Page).where(Page.id.in_({r[0] for r in rows})))}
    shares = {(a.page_pk, a.participant_id): a for a in session.scalars(
        sa.select(AuthorshipFigure).where(AuthorshipFigure.seminar_id == seminar.id))}
    result: dict[int, ArticleFigures] = {}
    for page_pk, user_id, edits, words, refs, creations in rows:
        page = pages[page_pk]
        art = result.setdefault(page_pk, ArticleFigures(
            page_pk, page.page_id, page.title, page.namespace, page.deleted, page.redirect, None))
        participant = participants[user_id]
        if creations:
            art.created_by = participant.name
        art.edits += edits
        art.words_added += words or 0
        art.references_added += refs or 0
        share = shares.get((page_pk, participant.id))
        art.by_student[participant.id] = {
            "name": participant.name, "edits": edits, "words_added": words or 0,
            "references_added": refs or 0,
            "authorship_share": share.word_share if share else None,
            "authorship_words": share.words if share else None,
            "survival_now": (share.surviving_now / share.added) if share and share.added else None,
        }
    return sorted(result.values(), key=lambda a: (namespace_group(a.namespace) != "article", a.title))


def _offset_spans(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """[(from this UTC instant, UTC offset in seconds)] of a zone between two instants.

    Found with the zone's own rules (Python's zoneinfo, as everywhere in the app): a step per
    day, then a bisection to the second around each change (DST twice a year at most).
    """
    def offset(at: int) -> int:
        local = dt.datetime.fromtimestamp(at, dt.UTC).astimezone(zone)
        return int(local.utcoffset().total_seconds())  # type: ignore[union-attr]

    first, last = int(start.timestamp()), int(end.timestamp())
    spans = [(first, offset(first))]
    at = first
    while at < last:
        step = min(at + 86400, last)
        if offset(step) == spans[-1][1]:
            at = step
            continue
        low, high = at, step  # offset(low) is the current one, offset(high) is not
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if offset(middle) == spans[-1][1] else (low, middle)
        spans.append((high, offset(high)))
        at = high
    return [(dt.datetime.fromtimestamp(at, dt.UTC), seconds) for at, seconds in spans]


def _local_day(session: DbSession, seminar: Seminar, column: Any) -> Any:
    """The seminar's local calendar day of a stored UTC timestamp, in SQL.

    The zone's offsets over the seminar's dates are computed here and written into the query
    (a CASE on the instant), so the database needs no time-zone data of its own and its days
    are exactly those of `ts.astimezone(zone).date()`. PostgreSQL returns a date, SQLite text.
    """
    spans = _offset_spans(ZoneInfo(seminar.timezone), seminar.start_at, seminar.end_at)
    postgresql = session.get_bind().dialect.name == "postgresql"

    def shift(seconds: int) -> Any:
        return seconds if postgresql else f"{seconds} seconds"  # SQLite's date() modifier

    # The first span whose end is still ahead of the instant: CASE tries them in order.
    offset = (sa.case(*((column < spans[i + 1][0], shift(spans[i][1]))
                        for i in range(len(spans) - 1)), else_=shift(spans[-1][1]))
              if len(spans) > 1 else sa.literal(shift(spans[0][1])))
    if postgresql:
        return sa.func.date(sa.func.timezone("UTC", column)
                            + sa.func.make_interval(0, 0, 0, 0, 0, 0, offset))
    return sa.func.date(column, offset)


def timeline(session: DbSession, seminar: Seminar, *, until: dt.datetime | None = None,
             participant_id: int | None = None) -> dict[int, list[tuple[dt.date, int, int]]]:
    """participant id -> [(day, edits, lasting words added)] for the charts, oldest first.

    Days are the seminar's local days (summed in the database, see `_local_day`); words count
    on content pages only (articles, user pages, drafts: not talk pages, by their current
    namespace).
    """
    participants = {p.wiki_user_id: p.id for p in _participants(session, seminar, True)
                    if p.wiki_user_id and (participant_id is None or p.id == participant_id)}
    if not participants:
        return {}
    window = [*_window(seminar, until, None), Revision.user_id.in_(list(participants))]
    # The talk pages among the ones edited, read by primary key: joining `page` in the sums
    # made PostgreSQL hash the whole table (every seminar's pages) on each first view.
    edited = set(session.scalars(sa.select(Revision.page_pk).where(*window).distinct()))
    talk = [pk for pk, (namespace, _) in _page_kinds(session, edited).items() if namespace % 2 == 1]
    m = RevisionMetrics
    lasting = sa.and_(m.revision_id.is_not(None), m.reverted.is_(False), m.is_revert.is_(False))
    if talk:
        lasting = sa.and_(lasting, Revision.page_pk.not_in(talk))
    day = _local_day(session, seminar, Revision.timestamp)
    rows = session.connection().execute(  # Core rows: cheaper than the ORM's per row
        sa.select(Revision.user_id, day, sa.func.count(Revision.id),
                  sa.func.sum(sa.case((lasting, m.words_added), else_=0)))
        .outerjoin(m, m.revision_id == Revision.id)
        .where(*window)
        .group_by(Revision.user_id, day)
    ).all()
    days: dict[int, list[tuple[dt.date, int, int]]] = defaultdict(list)
    parsed: dict[str, dt.date] = {}
    for user_id, when, edits, words in rows:
        if isinstance(when, str):  # SQLite
            when = parsed.get(when) or parsed.setdefault(when, dt.date.fromisoformat(when))
        days[participants[user_id]].append((when, edits, words or 0))
    return {pid: sorted(series) for pid, series in days.items()}
