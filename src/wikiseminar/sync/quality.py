"""Sync phase: each seminar article's rating (from its talk page) and estimate, start and now.

Frugal with the wiki: one `prop=info` request per 50 talk pages says which changed since the
last run; only those are read, newest revision first, down to the one in force at the
seminar's start (usually one request). Article texts come from the tracked histories already
stored; a missing one is fetched once by revision id.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..analysis.quality import (
    estimate_level,
    quality_features,
    rating_changes,
    read_rating,
    scale_for,
)
from ..dbsession import DbSession
from ..models import ArticleQuality, Page, Revision, RevisionText, Seminar
from ..models._types import utcnow
from ..wiki.client import WikiClient
from ..wiki.types import NS_MAIN, SiteInfo
from . import store

__all__ = ["SERIES_POINTS", "update_quality"]

SERIES_POINTS = 60
NS_TALK = 1
# How often a talk page is asked about (SYNC_QUALITY_TALK_HOURS): ratings change rarely.
TALK_EVERY = dt.timedelta(hours=24)


def update_quality(session: DbSession, seminar: Seminar, client: WikiClient,
                   tracked: Sequence[Page], *, talk_every: dt.timedelta = TALK_EVERY,
                   full: bool = False) -> int:
    """Refresh the ArticleQuality rows of the seminar's articles; returns how many talk pages
    were asked about. Talk pages are checked at most every `talk_every` (ratings change
    rarely), all of them with `full`; the estimates follow every new article revision."""
    # The previous phase's commit expired the pages: reload them together, not one by one.
    store.refresh(session, [p for p in tracked if sa.inspect(p).expired_attributes])
    articles = [p for p in tracked if p.namespace == NS_MAIN and not p.deleted and not p.redirect]
    if not articles:
        return 0
    site = seminar.wiki.siteinfo
    lang = seminar.wiki.lang or site.lang
    rows = {row.page_pk: row for row in session.scalars(
        sa.select(ArticleQuality).where(ArticleQuality.seminar_id == seminar.id))}
    now = utcnow()
    talk_titles = {page.id: site.full_title(NS_TALK, page.title) for page in articles}
    due = {page.id for page in articles if full or _talk_due(
        rows.get(page.id), talk_titles[page.id], now - talk_every)}
    latest = {info.title: info for info in client.title_infos(
        sorted({talk_titles[page_pk] for page_pk in due}))} if due else {}
    # Written in bulk, not by the unit of work: it would send one UPDATE a row (consecutive
    # rows rarely change the same columns) and, on SQLite, one INSERT a row. New rows stay out
    # of the session; nothing is flushed meanwhile.
    new: list[ArticleQuality] = []
    stored: list[ArticleQuality] = []
    with session.no_autoflush:
        for page in articles:
            row = rows.get(page.id)
            if row is None:
                row = ArticleQuality(seminar_id=seminar.id, page_pk=page.id, rating_changes=[])
                new.append(row)
                rows[page.id] = row
            else:
                stored.append(row)
            if page.id in due:
                title = talk_titles[page.id]
                info = latest.get(title)
                top = None if info is None or info.missing else info.lastrevid
                fresh = row.talk_title != title
                if top is None:  # no talk page: nothing to read, no rating
                    if fresh or row.talk_last_rev_id is not None:
                        _no_talk(row, fresh=fresh)
                elif fresh or top != row.talk_last_rev_id:
                    _read_talk(row, client, title, seminar, lang, fresh=fresh)
                row.talk_title = title
                row.talk_last_rev_id = top
                row.checked_at = now
        _estimate_all(session, seminar, articles, rows, client, lang)
        for page in articles:
            rows[page.id].computed_at = now
        _save(session, stored, new)
    session.commit()
    return len(due)


def _save(session: DbSession, stored: Sequence[ArticleQuality],
          new: Sequence[ArticleQuality]) -> None:
    """Write the rows, every column, with one UPDATE and one INSERT executemany per chunk."""
    table = ArticleQuality.__table__
    assert isinstance(table, sa.Table)  # a model's __table__ (typed as any FromClause)
    columns = [c for c in table.columns if not c.primary_key]
    for chunk in store.chunks(stored):
        session.execute(sa.update(table).where(table.c.id == sa.bindparam("row_id")), [
            {"row_id": row.id, **{c.key: getattr(row, c.key) for c in columns}} for row in chunk])
    for chunk in store.chunks(new):
        session.execute(sa.insert(table), [{c.key: getattr(row, c.key) for c in columns}
                                           for row in chunk])
    # Their changes are written: drop them from the session (the commit would write them
    # again, row by row); the next read loads what was written.
    for row in stored:
        session.expire(row)


def _talk_due(row: ArticleQuality | None, title: str, before: dt.datetime) -> bool:
    """Whether a talk page is to be asked about: never read, renamed, or last checked before."""
    return (row is None or row.talk_title != title or row.checked_at is None
            or row.checked_at < before)


def _no_talk(row: ArticleQuality, *, fresh: bool) -> None:
    """The talk page does not exist (or no longer does): unrated now, and at the start if new."""
    if fresh:
        row.rating_changes = []
        row.rating_start = None
    elif row.rating_now is not None:
        row.rating_changes = [*(row.rating_changes or []), {
            "rev_id": 0, "timestamp": utcnow().isoformat(), "user": None,
            "before": row.rating_now, "after": None}]
    row.rating_now = None


def _read_talk(row: ArticleQuality, client: WikiClient, title: str, seminar: Seminar,
               lang: str, *, fresh: bool) -> None:
    """Read the talk revisions this row has not seen; record the ratings and their changes."""
    revisions = client.recent_texts(
        title, back_to=seminar.start_at,
        after_revid=None if fresh else row.talk_last_rev_id)
    revisions.reverse()  # oldest first
    if fresh:
        row.rating_changes = []
        at_start = [r for r in revisions if r.timestamp < seminar.start_at]
        row.rating_start = read_rating(at_start[-1].text, lang) if at_start else None
        row.rating_now = row.rating_start
        revisions = [r for r in revisions if r.timestamp >= seminar.start_at]
    changes = rating_changes(
        [(r.revid, r.timestamp, r.user, r.text) for r in revisions], lang, before=row.rating_now)
    history = list(row.rating_changes or [])
    for change in changes:
        history.append({
            "rev_id": change.rev_id, "timestamp": change.timestamp.isoformat(),
            "user": change.user, "before": change.before, "after": change.after,
        })
    row.rating_changes = history
    if revisions:
        row.rating_now = read_rating(revisions[-1].text, lang)
    if changes:
        row.rating_changed_at = changes[-1].timestamp
        row.rating_changed_by = changes[-1].user


@dataclass
class _Plan:
    """The revisions one article's estimate needs: at the start, now, and the sampled series."""

    row: ArticleQuality
    start_rev: int | None
    now_rev: int
    points: list[tuple[int, dt.datetime]]

    def wanted(self) -> set[int]:
        """The revision ids whose texts this estimate reads."""
        return ({rev_id for rev_id, _ in self.points} | {self.now_rev}
                | ({self.start_rev} if self.start_rev else set()))


def _estimate_all(session: DbSession, seminar: Seminar, pages: Sequence[Page],
                  rows: dict[int, ArticleQuality], client: WikiClient, lang: str) -> None:
    """Estimate the articles whose revisions changed, their texts read in grouped batches."""
    histories = _histories(session, [page.id for page in pages])
    plans = [plan for page in pages
             if (plan := _plan(seminar, histories.get(page.id, []), rows[page.id])) is not None]
    site = seminar.wiki.siteinfo
    scale = scale_for(lang)
    for batch in _batches(plans, store.CHUNK):
        wanted = set().union(*(plan.wanted() for plan in batch))
        texts = _texts(session, seminar.wiki_id, wanted)
        missing = sorted(wanted - set(texts))
        if missing:
            fetched = [text for _, text in client.revision_texts(missing)]
            store.upsert_texts(session, seminar.wiki_id, fetched)
            texts.update({t.revid: t.text for t in fetched})
        for plan in batch:
            _estimate(seminar, plan, texts, site, scale)


def _histories(session: DbSession, page_pks: Sequence[int]) -> dict[int, list[tuple[int, dt.datetime]]]:
    """Page.id -> its readable revisions (rev id, timestamp), oldest first; one query a chunk."""
    found: dict[int, list[tuple[int, dt.datetime]]] = {}
    for chunk in store.chunks(sorted(set(page_pks))):
        for page_pk, rev_id, timestamp in session.execute(
                sa.select(Revision.page_pk, Revision.rev_id, Revision.timestamp).where(
                    Revision.page_pk.in_(chunk), Revision.text_hidden.is_(False))
                .order_by(Revision.page_pk, Revision.timestamp, Revision.rev_id)):
            found.setdefault(page_pk, []).append((rev_id, timestamp))
    return found


def _plan(seminar: Seminar, history: list[tuple[int, dt.datetime]],
          row: ArticleQuality) -> _Plan | None:
    """What to estimate for one article; None without revisions or when nothing changed."""
    if not history:
        return None
    before = [(rev_id, ts) for rev_id, ts in history if ts < seminar.start_at]
    during = [(rev_id, ts) for rev_id, ts in history
              if seminar.start_at <= ts < seminar.end_at]
    start_rev = before[-1][0] if before else None
    now_rev = history[-1][0]
    if (row.now_rev_id == now_rev and row.start_rev_id == start_rev
            and row.estimate_now is not None):
        return None
    return _Plan(row, start_rev, now_rev, _sample(during, SERIES_POINTS))


def _batches(plans: list[_Plan], size: int) -> Iterator[list[_Plan]]:
    """Consecutive plans grouped so that a group reads at most `size` texts (one at least)."""
    batch: list[_Plan] = []
    count = 0
    for plan in plans:
        wanted = len(plan.wanted())
        if batch and count + wanted > size:
            yield batch
            batch, count = [], 0
        batch.append(plan)
        count += wanted
    if batch:
        yield batch


def _estimate(seminar: Seminar, plan: _Plan, texts: dict[int, str | None], site: SiteInfo,
              scale: Sequence[str]) -> None:
    """Estimate the article at the seminar's start, now, and at each revision in between."""
    row, start_rev, now_rev = plan.row, plan.start_rev, plan.now_rev
    now_features = quality_features(texts.get(now_rev), site)
    row.now_rev_id = now_rev
    row.features_now_json = json.dumps(now_features.to_dict())
    row.estimate_now = scale[estimate_level(now_features, scale)]
    row.start_rev_id = start_rev
    series: list[list[str]] = []
    if start_rev:
        start_features = quality_features(texts.get(start_rev), site)
        row.features_start_json = json.dumps(start_features.to_dict())
        row.estimate_start = scale[estimate_level(start_features, scale)]
        series.append([seminar.start_at.isoformat(), row.estimate_start])
    else:
        row.features_start_json = None
        row.estimate_start = None
    for rev_id, ts in plan.points:
        if rev_id in texts:
            level = estimate_level(quality_features(texts[rev_id], site), scale)
            series.append([ts.isoformat(), scale[level]])
    row.series = series


def _sample(points: list[tuple[int, dt.datetime]], size: int) -> list[tuple[int, dt.datetime]]:
    """At most `size` points spread evenly, the last one always kept."""
    if len(points) <= size:
        return points
    step = len(points) / size
    picked = [points[int(i * step)] for i in range(size - 1)]
    return [*picked, points[-1]]


def _texts(session: DbSession, wiki_id: int, rev_ids: set[int]) -> dict[int, str | None]:
    """Stored texts by revision id (None when hidden); one query per chunk of ids."""
    found: dict[int, str | None] = {}
    for chunk in store.chunks(sorted(rev_ids)):
        for rev_id, content in session.execute(sa.select(RevisionText.rev_id, RevisionText.content)
                                               .where(RevisionText.wiki_id == wiki_id,
                                                      RevisionText.rev_id.in_(chunk))):
            found[rev_id] = None if content is None else zlib.decompress(content).decode("utf-8")
    return found
