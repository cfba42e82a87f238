"""Sync phase: each seminar article's rating (from its talk page) and estimate, start and now.

Frugal with the wiki: one `prop=info` request per 50 talk pages says which changed since the
last run; only those are read, newest revision first, down to the one in force at the
seminar's start (usually one request). Article texts come from the tracked histories already
stored; a missing one is fetched once by revision id.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..analysis.quality import (
    estimate_level,
    quality_features,
    rating_changes,
    read_rating,
    scale_for,
)
from ..models import ArticleQuality, Page, Revision, RevisionText, Seminar
from ..models._types import utcnow
from ..wiki.client import WikiClient
from ..wiki.types import NS_MAIN
from . import store

__all__ = ["SERIES_POINTS", "update_quality"]

SERIES_POINTS = 60
NS_TALK = 1
# How often a talk page is asked about (SYNC_QUALITY_TALK_HOURS): ratings change rarely.
TALK_EVERY = dt.timedelta(hours=24)


def update_quality(session: so.Session, seminar: Seminar, client: WikiClient,
                   tracked: Sequence[Page], *, talk_every: dt.timedelta = TALK_EVERY,
                   full: bool = False) -> int:
    """Refresh the ArticleQuality rows of the seminar's articles; returns how many talk pages
    were asked about. Talk pages are checked at most every `talk_every` (ratings change
    rarely), all of them with `full`; the estimates follow every new article revision."""
    articles = [p for p in tracked if p.namespace == NS_MAIN and not p.deleted and not p.redirect]
    if not articles:
        return 0
    site = seminar.wiki.siteinfo
    lang = seminar.wiki.lang or site.lang
    rows = {row.page_pk: row for row in session.scalars(
        sa.select(ArticleQuality).where(ArticleQuality.seminar_id == seminar.id))}
    now = utcnow()
    talk_titles = {page.id: site.full_title(NS_TALK, page.title) for page in articles}
    due = [page for page in articles if full or _talk_due(rows.get(page.id), talk_titles[page.id],
                                                          now - talk_every)]
    latest = {info.title: info for info in client.title_infos(
        sorted({talk_titles[page.id] for page in due}))} if due else {}
    for page in articles:
        row = rows.get(page.id)
        if row is None:
            row = ArticleQuality(seminar_id=seminar.id, page_pk=page.id, rating_changes=[])
            session.add(row)
            rows[page.id] = row
        title = talk_titles[page.id]
        if page in due:
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
        _estimate(session, seminar, page, row, client, lang)
        row.computed_at = now
    session.commit()
    return len(due)


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


def _estimate(session: so.Session, seminar: Seminar, page: Page, row: ArticleQuality,
              client: WikiClient, lang: str) -> None:
    """Estimate the article at the seminar's start, now, and at each revision in between."""
    history = session.execute(
        sa.select(Revision.rev_id, Revision.timestamp).where(
            Revision.page_pk == page.id, Revision.text_hidden.is_(False))
        .order_by(Revision.timestamp, Revision.rev_id)).all()
    if not history:
        return
    before = [(rev_id, ts) for rev_id, ts in history if ts < seminar.start_at]
    during = [(rev_id, ts) for rev_id, ts in history
              if seminar.start_at <= ts < seminar.end_at]
    start_rev = before[-1][0] if before else None
    now_rev = history[-1][0]
    if (row.now_rev_id == now_rev and row.start_rev_id == start_rev
            and row.estimate_now is not None):
        return
    points = _sample(during, SERIES_POINTS)
    wanted = {rev_id for rev_id, _ in points} | {now_rev} | ({start_rev} if start_rev else set())
    texts = _texts(session, seminar.wiki_id, wanted)
    missing = sorted(wanted - set(texts))
    if missing:
        fetched = [text for _, text in client.revision_texts(missing)]
        store.upsert_texts(session, seminar.wiki_id, fetched)
        texts.update({t.revid: t.text for t in fetched})
    site = seminar.wiki.siteinfo
    scale = scale_for(lang)
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
    for rev_id, ts in points:
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


def _texts(session: so.Session, wiki_id: int, rev_ids: set[int]) -> dict[int, str | None]:
    """Stored texts by revision id (None when hidden)."""
    found: dict[int, str | None] = {}
    ids = sorted(rev_ids)
    for start in range(0, len(ids), 200):
        for row in session.scalars(sa.select(RevisionText).where(
                RevisionText.wiki_id == wiki_id, RevisionText.rev_id.in_(ids[start:start + 200]))):
            found[row.rev_id] = row.text
    return found
