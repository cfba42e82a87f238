"""Quality figures every page, report and export shows: where each article started and ended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from ..analysis.quality import scale_for
from ..dbsession import DbSession
from ..models import ArticleQuality, Page, Revision, Seminar
from .charts import class_chart
from .figures import article_figures

__all__ = [
    "ARTICLE_COLUMNS",
    "ArticleQualityView",
    "article_rows",
    "quality_by_page",
    "quality_chart",
    "add_quality_gains",
    "quality_level",
    "transition",
]

ARROW = "→"
ARTICLE_COLUMNS = (
    "title", "kind", "students", "quality_start", "quality_now", "estimate_start",
    "estimate_now", "prose_words_start", "prose_words_now", "references_start",
    "references_now", "sections_start", "sections_now",
)


def transition(start: str | None, now: str | None, *, empty: str = "—") -> str:
    """'ébauche → B', or just the class when it did not change; `empty` for no class."""
    a, b = start or empty, now or empty
    if start is None and now is None:
        return empty
    return a if a == b else f"{a} {ARROW} {b}"


@dataclass(slots=True)
class ArticleQualityView:
    """One article's quality at the seminar's start and now, as reports show it."""

    page_pk: int
    title: str
    created: bool
    rating_start: str | None
    rating_now: str | None
    rating_changed_at: dt.datetime | None
    rating_changed_by: str | None
    rating_changes: list[dict[str, Any]]
    estimate_start: str | None
    estimate_now: str | None
    features_start: dict[str, Any]
    features_now: dict[str, Any]
    series: list[tuple[dt.datetime, str]]
    scale: tuple[str, ...]
    students: list[str] = field(default_factory=list)

    @property
    def talk_rated(self) -> bool:
        """Whether the talk page carried a rating at the start or now."""
        return bool(self.rating_start or self.rating_now)

    @property
    def rating_transition(self) -> str:
        """The wiki's rating as 'ébauche → B'."""
        return transition(self.rating_start, self.rating_now)

    @property
    def estimate_transition(self) -> str:
        """The estimate as 'ébauche → B' (a created article starts from nothing)."""
        return transition(self.estimate_start, self.estimate_now)

    @property
    def kind(self) -> str:
        """'created' (no revision before the seminar's start) or 'improved'."""
        return "created" if self.created else "improved"

    def series_levels(self) -> list[tuple[dt.datetime, int]]:
        """The estimate over the seminar as (time, index on the scale) for charts."""
        return [(when, self.scale.index(c)) for when, c in self.series if c in self.scale]


def quality_level(view: ArticleQualityView | None, which: str = "now",
                  source: str = "estimate") -> int | None:
    """A class as its index on the wiki's scale (ébauche/Stub = 0), for rubric criteria."""
    if view is None:
        return None
    value = getattr(view, f"{source}_{which}", None) if source in ("estimate", "rating") else None
    return view.scale.index(value) if value in view.scale else None


def quality_by_page(session: DbSession, seminar: Seminar, page_pks: list[int] | None = None,
                    *, with_students: bool = True) -> dict[int, ArticleQualityView]:
    """page pk -> the article's quality view, for the seminar's articles already assessed
    (`with_students`: also name the students who edited each, one more grouped query)."""
    query = (sa.select(ArticleQuality, Page.title).join(Page, Page.id == ArticleQuality.page_pk)
             .where(ArticleQuality.seminar_id == seminar.id))
    if page_pks is not None:
        query = query.where(ArticleQuality.page_pk.in_(page_pks or [-1]))
    scale = scale_for(seminar.wiki.lang or "fr")
    views: dict[int, ArticleQualityView] = {}
    for row, title in session.execute(query.order_by(Page.title)).all():
        series = []
        for when, cls in row.series or []:
            series.append((dt.datetime.fromisoformat(when), cls))
        views[row.page_pk] = ArticleQualityView(
            page_pk=row.page_pk, title=title, created=row.start_rev_id is None,
            rating_start=row.rating_start, rating_now=row.rating_now,
            rating_changed_at=row.rating_changed_at, rating_changed_by=row.rating_changed_by,
            rating_changes=[{**c, "timestamp": dt.datetime.fromisoformat(c["timestamp"])}
                            for c in row.rating_changes or []],
            estimate_start=row.estimate_start, estimate_now=row.estimate_now,
            features_start=row.features_start, features_now=row.features_now,
            series=series, scale=scale,
        )
    if not with_students or not views:
        return views
    for art in article_figures(session, seminar, page_pks=list(views)):
        view = views.get(art.page_pk)
        if view is not None:
            view.students = sorted(s["name"] for s in art.by_student.values())
    return views


def article_rows(session: DbSession, seminar: Seminar) -> list[dict[str, Any]]:
    """One row per article of the seminar for `export articles` (ARTICLE_COLUMNS)."""
    rows = []
    for view in quality_by_page(session, seminar).values():
        start, now = view.features_start, view.features_now
        rows.append({
            "title": view.title,
            "kind": view.kind,
            "students": "; ".join(view.students),
            "quality_start": view.rating_start or "",
            "quality_now": view.rating_now or "",
            "estimate_start": view.estimate_start or "",
            "estimate_now": view.estimate_now or "",
            "prose_words_start": start.get("prose_words", 0),
            "prose_words_now": now.get("prose_words", 0),
            "references_start": start.get("references", 0),
            "references_now": now.get("references", 0),
            "sections_start": start.get("sections", 0),
            "sections_now": now.get("sections", 0),
        })
    return rows


def quality_chart(view: ArticleQualityView, seminar: Seminar, title: str) -> Markup | None:
    """The estimate over the seminar as a small SVG step chart; None without any point."""
    points = view.series_levels()
    if not points:
        return None
    return class_chart(points, view.scale, title=title, start=seminar.start_date,
                       end=seminar.end_date, chart_id=f"quality-{view.page_pk}")


def add_quality_gains(session: DbSession, seminar: Seminar, figures: Mapping[int, Any],
                      by_user: Mapping[int, int], *, until: dt.datetime | None = None,
                      since: dt.datetime | None = None) -> None:
    """Set each student's `quality_gain` and `rating_gain`: the best class gain over the
    assessed articles they edited in the window (one query). A created article starts at the
    lowest class; the rating gain stays None when none of those articles is rated now."""
    if not by_user:
        return
    end = seminar.end_at if until is None else min(until, seminar.end_at)
    begin = seminar.start_at if since is None else max(since, seminar.start_at)
    rows = session.execute(
        sa.select(Revision.user_id, ArticleQuality.estimate_start, ArticleQuality.estimate_now,
                  ArticleQuality.rating_start, ArticleQuality.rating_now)
        .join(ArticleQuality, sa.and_(ArticleQuality.page_pk == Revision.page_pk,
                                      ArticleQuality.seminar_id == seminar.id))
        .where(Revision.wiki_id == seminar.wiki_id, Revision.user_id.in_(list(by_user)),
               Revision.timestamp >= begin, Revision.timestamp < end)
        .distinct()).all()
    scale = scale_for(seminar.wiki.lang or "fr")
    for user_id, e_start, e_now, r_start, r_now in rows:
        f = figures.get(by_user.get(user_id or 0, -1))
        if f is None:
            continue
        f.quality_gain = _best(f.quality_gain, _gain(scale, e_start, e_now))
        f.rating_gain = _best(f.rating_gain, _gain(scale, r_start, r_now))


def _gain(scale: tuple[str, ...], start: str | None, now: str | None) -> int | None:
    """Classes gained from start to now (a missing start counts as the lowest class)."""
    if now not in scale:
        return None
    return scale.index(now) - (scale.index(start) if start in scale else 0)


def _best(a: int | None, b: int | None) -> int | None:
    """The larger of two optional gains."""
    return b if a is None else a if b is None else max(a, b)
