"""The outbox: store, send on commit, retry with backoff, and never send one message twice."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
import smtplib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context, has_request_context

from ..dbsession import DbSession, rowcount
from ..extensions import db
from ..models import MailStatus, OutboxMessage
from ..models._types import utcnow
from .smtp import build_message, message_id_for, send_message

__all__ = [
    "InlineImage",
    "LinkOutsideBaseUrl",
    "SendReport",
    "enqueue",
    "join_senders",
    "send_due",
    "send_job",
    "send_one",
]

log = logging.getLogger(__name__)

_PENDING = "wikiseminar_mail_pending"
_senders: list[threading.Thread] = []
_senders_lock = threading.Lock()
# How long a sender holds a message it is sending before another may try it.
CLAIM_SECONDS = 120
_URL = re.compile(r"https?://[^\s\"'<>)]+", re.IGNORECASE)


class LinkOutsideBaseUrl(ValueError):
    """A mail would carry a link to a host other than base_url's (refused: phishing-like)."""


@dataclass(frozen=True)
class InlineImage:
    """An image shown inside the HTML part, referenced there as src="cid:<cid>"."""

    cid: str
    data: bytes
    mime: str = "image/png"
    filename: str | None = None

    def as_json(self) -> dict[str, str | None]:
        """The stored form (base64 data)."""
        return {"cid": self.cid, "mime": self.mime, "filename": self.filename,
                "data": base64.b64encode(self.data).decode("ascii")}


def _check_links(base_url: str, *bodies: str | None) -> None:
    """Every http(s) link of the bodies must point at base_url's host."""
    allowed = urlparse(base_url).netloc.lower() if base_url else None
    for body in bodies:
        for url in _URL.findall(body or ""):
            if urlparse(url).netloc.lower() != allowed:
                raise LinkOutsideBaseUrl(f"link to {urlparse(url).netloc} refused in a mail "
                                         f"(only {allowed or 'no host: base_url is empty'})")


def _check_header(name: str, value: str) -> None:
    """No line breaks in a header (header injection)."""
    if any(c in name + value for c in "\r\n"):
        raise ValueError(f"mail header {name!r} contains a line break")


def enqueue(to: str, subject: str, text: str, html: str | None = None, *, kind: str,
            locale: str = "fr", headers: dict[str, str] | None = None,
            images: Sequence[InlineImage] = ()) -> int:
    """Put one message in the outbox (caller's transaction) and send it once that commits."""
    config = current_app.config
    _check_links(config.get("BASE_URL") or "", text, html)
    for name, value in (headers or {}).items():
        _check_header(name, value)
    _check_header("To", to)
    _check_header("Subject", subject)
    row = OutboxMessage(
        to_address=to, subject=subject, text_body=text, html_body=html, kind=kind,
        locale=locale, headers=json.dumps(headers or {}, ensure_ascii=False),
        inline_images=json.dumps([image.as_json() for image in images]),
        status=MailStatus.QUEUED.value, attempts=0, next_attempt_at=utcnow(),
        message_id=message_id_for(config),
    )
    db.session.add(row)
    db.session.flush()
    db.session().info.setdefault(_PENDING, []).append(row.id)
    return row.id


@sa.event.listens_for(so.Session, "after_commit")
def _dispatch_after_commit(session: DbSession) -> None:
    """Send (or queue on RQ) the messages the committed transaction added."""
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context() or not current_app.config.get("MAIL_HOST"):
        return
    config = current_app.config
    if config.get("REDIS_URL"):
        try:
            _enqueue_jobs(config, pending)
            return
        except Exception as exc:  # Redis down: send now, the outbox still holds the rest
            log.warning("mail queue unavailable (%s); sending inline", exc)
    if has_request_context():
        # Never in the request: a reply that waits on SMTP only when an account exists would
        # tell whoever asked (password reset, joining) that the address has one.
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        sender = threading.Thread(target=_send_in_thread, args=(app, list(pending)),
                                  name="mail-sender", daemon=True)
        with _senders_lock:
            _senders[:] = [t for t in _senders if t.is_alive()]
            _senders.append(sender)
        sender.start()
        return
    _send_now(config, pending)


def _send_now(config: Mapping[str, Any], ids: Sequence[int]) -> None:
    """Try each message once, in a session of its own (the outbox keeps failures for later)."""
    with so.Session(db.engine) as own:
        for message_id in ids:
            send_one(own, config, message_id)


def _send_in_thread(app: Any, ids: Sequence[int]) -> None:
    """A web request's messages, sent after its reply with an app context of their own."""
    with app.app_context():
        try:
            _send_now(app.config, ids)
        except Exception:  # the outbox keeps the message: `wikiseminar mail send` retries it
            log.exception("sending mail %s failed", list(ids))


def join_senders(timeout: float = 30.0) -> bool:
    """Wait for the mail this process is sending in the background (tests, clean shutdown)."""
    with _senders_lock:
        threads = list(_senders)
    for thread in threads:
        thread.join(timeout)
    return not any(t.is_alive() for t in threads)


@sa.event.listens_for(so.Session, "after_rollback")
def _forget_after_rollback(session: DbSession) -> None:
    """A rolled-back transaction's messages do not exist: nothing to send."""
    session.info.pop(_PENDING, None)


def _enqueue_jobs(config: Mapping[str, Any], ids: Sequence[int]) -> None:
    """One RQ job per message on the app's queue (the worker runs them in app context)."""
    from ..sync.jobs import connect, queue_for

    connection = connect(dict(config))
    queue = queue_for(dict(config), connection)
    for message_id in ids:
        queue.enqueue(send_job, message_id, job_id=f"mail-{message_id}",
                      description=f"mail {message_id}")


def send_job(message_id: int) -> str:
    """RQ job: try one message; on failure schedule the next try after its backoff."""
    config = current_app.config
    status = send_one(db.session, config, message_id)
    if status == MailStatus.QUEUED.value:
        row = db.session.get(OutboxMessage, message_id)
        if row is not None:
            from ..sync.jobs import connect, queue_for

            queue = queue_for(dict(config), connect(dict(config)))
            queue.enqueue_at(row.next_attempt_at, send_job, message_id)
    return status


def _backoff(config: Mapping[str, Any], attempts: int) -> dt.timedelta:
    """Delay before the next try after `attempts` failures (the last interval repeats)."""
    intervals = list(config.get("MAIL_RETRY_INTERVALS") or [60])
    return dt.timedelta(seconds=int(intervals[min(attempts, len(intervals)) - 1]))


def _claim(session: DbSession, row_id: int, due: dt.datetime, now: dt.datetime) -> bool:
    """Take the message for this sender: only one of two concurrent senders wins the update."""
    result = session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == MailStatus.QUEUED.value,
               OutboxMessage.next_attempt_at == due)
        .values(next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
    )
    session.commit()
    return rowcount(result) == 1


def send_one(session: DbSession, config: Mapping[str, Any], message_id: int,
             now: dt.datetime | None = None) -> str:
    """Try to send one queued, due message; return its status afterwards."""
    now = now or utcnow()
    row = session.get(OutboxMessage, message_id)
    if row is None:
        return "gone"
    if row.status != MailStatus.QUEUED.value or row.next_attempt_at > now:
        return row.status
    if not config.get("MAIL_HOST") or not _claim(session, row.id, row.next_attempt_at, now):
        return row.status
    session.refresh(row)
    try:
        send_message(config, build_message(row, config["MAIL_FROM_ADDRESS"]))
    except (OSError, smtplib.SMTPException) as exc:
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if row.attempts >= int(config.get("MAIL_MAX_ATTEMPTS") or 1):
            row.status = MailStatus.FAILED.value
        else:
            row.next_attempt_at = now + _backoff(config, row.attempts)
        log.warning("mail %s to %s not sent (attempt %d): %s", row.id, row.to_address,
                    row.attempts, row.last_error)
    else:
        row.attempts += 1
        row.status = MailStatus.SENT.value
        row.sent_at = utcnow()
        row.last_error = None
    session.commit()
    return row.status


@dataclass
class SendReport:
    """What one send pass did."""

    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI."""
        return (f"mail: {len(self.sent)} sent, {len(self.retry)} to retry, "
                f"{len(self.failed)} failed")


def send_due(session: DbSession, config: Mapping[str, Any], *, now: dt.datetime | None = None,
             limit: int = 200) -> SendReport:
    """Send every queued message whose next attempt is due (oldest first)."""
    now = now or utcnow()
    report = SendReport()
    ids = session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == MailStatus.QUEUED.value,
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit)
    ).all()
    session.rollback()
    for message_id in ids:
        status = send_one(session, config, message_id, now=now)
        {MailStatus.SENT.value: report.sent, MailStatus.FAILED.value: report.failed}.get(
            status, report.retry).append(message_id)
    return report
