"""Derived data kept between requests: PDF parts by content, class-PDF builds, figure snapshots."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import Model
from ._types import UTCDateTime, utcnow

__all__ = ["DocumentBuild", "FigureSnapshot", "RenderedDocument"]


class RenderedDocument(Model):
    """A PDF keyed by the SHA-256 of the HTML it was rendered from.

    The same HTML always gives the same PDF, so a key that is still asked for is still right:
    a student's part of the class PDF is rendered again only when its HTML (their data) changes.
    """

    __tablename__ = "rendered_document"

    key: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    pages: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    used_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)


class DocumentBuild(Model):
    """One request for a long document (the class PDF), built off the request path."""

    __tablename__ = "document_build"
    __table_args__ = (sa.Index("ix_document_build_seminar_kind", "seminar_id", "kind", "lang"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seminar_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("seminar.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(30))
    lang: so.Mapped[str] = so.mapped_column(sa.String(10))
    # queued -> running -> done | failed
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="queued")
    done: so.Mapped[int] = so.mapped_column(default=0)
    total: so.Mapped[int] = so.mapped_column(default=0)
    # The RenderedDocument holding the result, once done.
    result_key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    requested_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    started_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)
    finished_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)


class FigureSnapshot(Model):
    """A seminar's figures and timeline as of one version of its data (reports/snapshot.py).

    Written at the end of each sync and by a dashboard view that found none; read by the
    dashboard's first view in any process. `key` hashes the data version and the code that
    computed the payload, so a snapshot of other data or other code is never read.
    """

    __tablename__ = "figure_snapshot"

    seminar_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    payload: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)  # zlib-compressed JSON
    computed_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
