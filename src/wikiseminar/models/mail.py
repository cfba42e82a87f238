"""Mail: the outbox every message goes through, single-use links, notification settings."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import Model
from ._types import UTCDateTime, utcnow

__all__ = ["DigestRecord", "EmailToken", "MailStatus", "NotificationOptOut", "OutboxMessage", "SentNotification"]


class MailStatus(enum.StrEnum):
    """Where a message of the outbox stands."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS; shown in /admin/mail


class OutboxMessage(Model):
    """One mail, stored before any attempt to send it, so an SMTP outage loses nothing."""

    __tablename__ = "mail_outbox"
    __table_args__ = (sa.Index("ix_mail_outbox_status_next", "status", "next_attempt_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    to_address: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    text_body: so.Mapped[str] = so.mapped_column(sa.Text)
    html_body: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # JSON object of extra headers (List-Unsubscribe ...).
    headers: so.Mapped[str] = so.mapped_column(sa.Text, default="{}")
    # JSON list of inline images {"cid", "mime", "data" (base64), "filename"} (digest charts).
    inline_images: so.Mapped[str] = so.mapped_column(sa.Text, default="[]")
    kind: so.Mapped[str] = so.mapped_column(sa.String(50))
    locale: so.Mapped[str] = so.mapped_column(sa.String(10), default="fr")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=MailStatus.QUEUED.value)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    message_id: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"


class EmailToken(Model):
    """A single-use, expiring link sent by mail (address verification, password reset).

    Only a hash of the secret is stored, so a database leak gives no usable link.
    """

    __tablename__ = "mail_token"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    purpose: so.Mapped[str] = so.mapped_column(sa.String(30))
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # JSON object: what the link does once proven (seminar id, participant id ...).
    payload: so.Mapped[str] = so.mapped_column(sa.Text, default="{}")
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime)


class NotificationOptOut(Model):
    """A kind of notification one person turned off (everything else is on)."""

    __tablename__ = "notification_opt_out"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", name="uq_notification_opt_out"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(50))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class SentNotification(Model):
    """One event already notified to one person: the key makes a second send impossible."""

    __tablename__ = "sent_notification"
    __table_args__ = (sa.UniqueConstraint("user_id", "event_key", name="uq_sent_notification"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    event_key: so.Mapped[str] = so.mapped_column(sa.String(300))
    kind: so.Mapped[str] = so.mapped_column(sa.String(50))
    outbox_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("mail_outbox.id", ondelete="SET NULL"))
    sent_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class DigestRecord(Model):
    """One weekly digest sent to one instructor for one seminar, with the alerts open then.

    The next digest reports what changed since `sent_at`, and which alerts opened or closed
    by comparing with `open_alerts` (JSON object: alert id -> {"rule", "who"}).
    """

    __tablename__ = "mail_digest"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    seminar_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    sent_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    open_alerts: so.Mapped[str] = so.mapped_column(sa.Text, default="{}")
    outbox_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("mail_outbox.id", ondelete="SET NULL"))
