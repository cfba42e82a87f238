"""Where each article of a seminar started and ended: the wiki's rating and the app's estimate."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import Model
from ._types import JSONList, UTCDateTime, utcnow
from .wiki import Page

__all__ = ["ArticleQuality"]


class ArticleQuality(Model):
    """One article of one seminar: its talk-page rating and structural estimate, start and now."""

    __tablename__ = "article_quality"
    __table_args__ = (sa.UniqueConstraint("seminar_id", "page_pk"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seminar_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    page_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("page.id", ondelete="CASCADE"))
    # The talk page as read (title, its last revision seen: unchanged means nothing to fetch).
    talk_title: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    talk_last_rev_id: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    # When the talk page was last asked about (checked at most every quality_talk_hours).
    checked_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    rating_start: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    rating_now: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    rating_changed_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    rating_changed_by: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    # Every change seen during the seminar: {rev_id, timestamp, user, before, after}.
    rating_changes: so.Mapped[list[Any] | None] = so.mapped_column(JSONList)
    # The article's revisions at the seminar's start (None: created during it) and now.
    start_rev_id: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    now_rev_id: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    estimate_start: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    estimate_now: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    features_start_json: so.Mapped[str | None] = so.mapped_column(sa.Text)
    features_now_json: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # The estimate over the seminar: [[iso timestamp, class], …] at each stored revision.
    series: so.Mapped[list[Any] | None] = so.mapped_column(JSONList)
    computed_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    page: so.Mapped[Page] = so.relationship()

    @property
    def features_start(self) -> dict[str, Any]:
        """The measured structure at the seminar's start ({} for an article created during it)."""
        return json.loads(self.features_start_json) if self.features_start_json else {}

    @property
    def features_now(self) -> dict[str, Any]:
        """The measured structure of the current revision."""
        return json.loads(self.features_now_json) if self.features_now_json else {}
