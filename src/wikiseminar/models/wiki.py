"""What the sync stores from a wiki: pages, revisions, texts, metrics, authorship, sync runs."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import Model
from ..wiki.types import SiteInfo
from ._types import JSONList, UTCDateTime, utcnow

__all__ = [
    "APP_PAGES_WHERE",
    "AuthorshipFigure",
    "Page",
    "PageAuthorship",
    "Revision",
    "RevisionMetrics",
    "RevisionText",
    "SyncRun",
    "Wiki",
]


class Wiki(Model):
    """A MediaWiki installation, known by its api.php URL; pages and revisions belong to it."""

    __tablename__ = "wiki"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    api_url: so.Mapped[str] = so.mapped_column(sa.String(500), unique=True)
    sitename: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    lang: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    siteinfo_json: so.Mapped[str | None] = so.mapped_column(sa.Text)
    siteinfo_fetched_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)

    @property
    def siteinfo(self) -> SiteInfo:
        """The cached siteinfo (namespaces, URLs); a default one before the first fetch."""
        if not self.siteinfo_json:
            return SiteInfo(api_url=self.api_url)
        return SiteInfo.from_dict(json.loads(self.siteinfo_json))

    @siteinfo.setter
    def siteinfo(self, info: SiteInfo) -> None:
        self.siteinfo_json = json.dumps(info.to_dict(), ensure_ascii=False)
        self.sitename = info.sitename
        self.lang = info.lang
        self.siteinfo_fetched_at = utcnow()

    @property
    def is_wikimedia(self) -> bool:
        """Whether the wiki is run by the Wikimedia Foundation (OAuth via meta is possible)."""
        from urllib.parse import urlparse

        host = urlparse(self.api_url).hostname or ""
        suffixes = (
            "wikipedia.org", "wiktionary.org", "wikibooks.org", "wikisource.org",
            "wikiversity.org", "wikinews.org", "wikiquote.org", "wikivoyage.org",
            "wikimedia.org", "wikidata.org", "mediawiki.org",
        )
        return any(host == s or host.endswith("." + s) for s in suffixes)


# The pages the app asks students to write (`User:Name/wikiseminar`, services.linking): every
# figure leaves them out (reports.figures.app_pages). A partial index on exactly this predicate
# finds them without reading every page of the wiki (migration 0013); the reports must use
# this very text, written inline, or PostgreSQL cannot match it with the index.
APP_PAGES_WHERE = "namespace = 2 AND title LIKE '%/wikiseminar'"


class Page(Model):
    """A wiki page, keyed by its page id so that moves only change the title."""

    __tablename__ = "page"
    __table_args__ = (
        sa.UniqueConstraint("wiki_id", "page_id"),
        sa.Index("ix_page_wiki_ns_title", "wiki_id", "namespace", "title"),
        sa.Index("ix_page_app_pages", "id", postgresql_where=sa.text(APP_PAGES_WHERE),
                 sqlite_where=sa.text(APP_PAGES_WHERE)),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    wiki_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("wiki.id"), index=True)
    page_id: so.Mapped[int] = so.mapped_column()
    namespace: so.Mapped[int] = so.mapped_column(default=0)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    redirect: so.Mapped[bool] = so.mapped_column(default=False)
    deleted: so.Mapped[bool] = so.mapped_column(default=False)
    deleted_detected_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    last_rev_id: so.Mapped[int | None] = so.mapped_column()
    length: so.Mapped[int | None] = so.mapped_column()
    categories: so.Mapped[list[str] | None] = so.mapped_column(JSONList)
    # Full history (edits by anyone) is kept for pages whose authorship is computed.
    tracked: so.Mapped[bool] = so.mapped_column(default=False)
    history_rev_id: so.Mapped[int | None] = so.mapped_column()
    checked_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)

    wiki: so.Mapped[Wiki] = so.relationship()

    def __repr__(self) -> str:
        return f"<Page {self.page_id} {self.title!r}>"


class Revision(Model):
    """One revision's metadata, stored once per wiki whatever the number of seminars."""

    __tablename__ = "revision"
    __table_args__ = (
        sa.UniqueConstraint("wiki_id", "rev_id"),
        sa.Index("ix_revision_wiki_user_time", "wiki_id", "user_id", "timestamp"),
        sa.Index("ix_revision_page_rev", "page_pk", "rev_id"),
        sa.Index("ix_revision_wiki_first_seen", "wiki_id", "first_seen_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    wiki_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("wiki.id"))
    rev_id: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    parent_id: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    page_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("page.id"))
    user_id: so.Mapped[int | None] = so.mapped_column()
    user_name: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    timestamp: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime)
    size: so.Mapped[int | None] = so.mapped_column()
    size_diff: so.Mapped[int | None] = so.mapped_column()
    sha1: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    comment: so.Mapped[str | None] = so.mapped_column(sa.Text)
    tags: so.Mapped[list[str] | None] = so.mapped_column(JSONList)
    minor: so.Mapped[bool] = so.mapped_column(default=False)
    page_creation: so.Mapped[bool] = so.mapped_column(default=False)
    # Namespace and title at edit time (a sandbox edit stays a sandbox edit after a move).
    namespace: so.Mapped[int] = so.mapped_column(default=0)
    title: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    text_hidden: so.Mapped[bool] = so.mapped_column(default=False)
    user_hidden: so.Mapped[bool] = so.mapped_column(default=False)
    comment_hidden: so.Mapped[bool] = so.mapped_column(default=False)
    suppressed: so.Mapped[bool] = so.mapped_column(default=False)
    # The revision's page was deleted on the wiki: kept here, flagged, never dropped.
    deleted: so.Mapped[bool] = so.mapped_column(default=False)
    first_seen_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    page: so.Mapped[Page] = so.relationship()
    metrics: so.Mapped[RevisionMetrics | None] = so.relationship(
        back_populates="revision", uselist=False, cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Revision {self.rev_id}>"


class RevisionText(Model):
    """The wikitext of a revision, zlib-compressed; fetched once, never again."""

    __tablename__ = "revision_text"

    wiki_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("wiki.id"), primary_key=True)
    rev_id: so.Mapped[int] = so.mapped_column(sa.BigInteger, primary_key=True)
    content: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    length: so.Mapped[int] = so.mapped_column(default=0)
    # The wiki refused the text (revision-deleted or suppressed): do not ask again.
    hidden: so.Mapped[bool] = so.mapped_column(default=False)
    fetched_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    @staticmethod
    def pack(text: str) -> bytes:
        """Compress a wikitext for storage."""
        return zlib.compress(text.encode("utf-8"), 6)

    @property
    def text(self) -> str | None:
        """The decompressed wikitext, None when hidden."""
        return None if self.content is None else zlib.decompress(self.content).decode("utf-8")


class RevisionMetrics(Model):
    """What one revision added and removed, computed by `analysis/` from its text and its parent's."""

    __tablename__ = "revision_metrics"

    revision_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("revision.id", ondelete="CASCADE"), primary_key=True
    )
    words_added: so.Mapped[int] = so.mapped_column(default=0)
    words_removed: so.Mapped[int] = so.mapped_column(default=0)
    chars_added: so.Mapped[int] = so.mapped_column(default=0)
    chars_removed: so.Mapped[int] = so.mapped_column(default=0)
    references_added: so.Mapped[int] = so.mapped_column(default=0)
    references_removed: so.Mapped[int] = so.mapped_column(default=0)
    cited_references_added: so.Mapped[int] = so.mapped_column(default=0)
    sections_added: so.Mapped[int] = so.mapped_column(default=0)
    sections_added_by_level: so.Mapped[str] = so.mapped_column(sa.String(200), default="{}")
    wikilinks_added: so.Mapped[int] = so.mapped_column(default=0)
    external_links_added: so.Mapped[int] = so.mapped_column(default=0)
    files_added: so.Mapped[int] = so.mapped_column(default=0)
    templates_added: so.Mapped[int] = so.mapped_column(default=0)
    infoboxes_added: so.Mapped[int] = so.mapped_column(default=0)
    categories_added: so.Mapped[int] = so.mapped_column(default=0)
    created: so.Mapped[bool] = so.mapped_column(default=False)
    redirect_created: so.Mapped[bool] = so.mapped_column(default=False)
    is_redirect: so.Mapped[bool] = so.mapped_column(default=False)
    is_move: so.Mapped[bool] = so.mapped_column(default=False)
    is_revert: so.Mapped[bool] = so.mapped_column(default=False)
    reverted: so.Mapped[bool] = so.mapped_column(default=False)
    reverted_by: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    # Size of the page after the revision: prose words and distinct references.
    prose_words_total: so.Mapped[int | None] = so.mapped_column()
    references_total: so.Mapped[int | None] = so.mapped_column()
    flags: so.Mapped[list[str] | None] = so.mapped_column(JSONList)
    analysis_version: so.Mapped[int] = so.mapped_column(default=1)
    computed_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    revision: so.Mapped[Revision] = so.relationship(back_populates="metrics")

    def by_level(self) -> dict[int, int]:
        """Sections added per heading level."""
        return {int(k): v for k, v in json.loads(self.sections_added_by_level or "{}").items()}


class PageAuthorship(Model):
    """The stored token-attribution state of a tracked page, so a sync adds one revision at a time."""

    __tablename__ = "page_authorship"

    page_pk: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("page.id", ondelete="CASCADE"), primary_key=True
    )
    state: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    last_rev_id: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    revisions: so.Mapped[int] = so.mapped_column(default=0)
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class AuthorshipFigure(Model):
    """A student's share of a tracked article and the survival of their words, as of a revision."""

    __tablename__ = "authorship_figure"
    __table_args__ = (sa.UniqueConstraint("seminar_id", "participant_id", "page_pk"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seminar_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    page_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("page.id", ondelete="CASCADE"))
    as_of_rev_id: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    tokens: so.Mapped[int] = so.mapped_column(default=0)
    total_tokens: so.Mapped[int] = so.mapped_column(default=0)
    share: so.Mapped[float] = so.mapped_column(default=0.0)
    words: so.Mapped[int] = so.mapped_column(default=0)
    total_words: so.Mapped[int] = so.mapped_column(default=0)
    word_share: so.Mapped[float] = so.mapped_column(default=0.0)
    added: so.Mapped[int] = so.mapped_column(default=0)
    surviving_now: so.Mapped[int] = so.mapped_column(default=0)
    surviving_7d: so.Mapped[int] = so.mapped_column(default=0)
    pending_7d: so.Mapped[int] = so.mapped_column(default=0)
    reverted: so.Mapped[int] = so.mapped_column(default=0)
    computed_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    page: so.Mapped[Page] = so.relationship()


class SyncRun(Model):
    """One sync of one seminar: when, how it ended, and what it cost the wiki."""

    __tablename__ = "sync_run"
    __table_args__ = (
        sa.Index("ix_sync_run_seminar_started", "seminar_id", "started_at"),
        sa.Index("ix_sync_run_status_finished", "status", "finished_at"),
        sa.Index("ix_sync_run_started", "started_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seminar_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE")
    )
    started_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    finished_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    # running | success | failed | skipped (locked by another run)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="running")
    trigger: so.Mapped[str] = so.mapped_column(sa.String(20), default="cli")
    worker: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    api_requests: so.Mapped[int] = so.mapped_column(default=0)
    revisions_added: so.Mapped[int] = so.mapped_column(default=0)
    texts_fetched: so.Mapped[int] = so.mapped_column(default=0)
    pages_checked: so.Mapped[int] = so.mapped_column(default=0)
    error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Where a running sync is (fed by its progress callback): phase, items done, items in all.
    phase: so.Mapped[str | None] = so.mapped_column(sa.String(30))
    progress_done: so.Mapped[int | None] = so.mapped_column()
    progress_total: so.Mapped[int | None] = so.mapped_column()

    @property
    def seconds(self) -> float | None:
        """Duration of the run, None while it runs."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def summary(self) -> dict[str, Any]:
        """The fields a structured log line carries."""
        return {
            "seminar_id": self.seminar_id,
            "status": self.status,
            "requests": self.api_requests,
            "revisions": self.revisions_added,
            "texts": self.texts_fetched,
            "seconds": self.seconds,
            "error": self.error,
        }
