"""With Redis configured, mail leaves through RQ jobs; an SMTP outage is retried with backoff."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.mail import enqueue
from wikiseminar.models import OutboxMessage
from wikiseminar.sync.jobs import run_worker

from .mailkit import SMTPServer
from .queuekit import RedisSpace

pytestmark = pytest.mark.redis


@pytest.fixture
def space() -> Iterator[RedisSpace]:
    own = RedisSpace()
    own.cleanup()
    yield own
    own.cleanup()


def _burst(app: Flask, space: RedisSpace, wait: float) -> None:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        run_worker(app, space.redis, name=space.worker_name(1), burst=True,
                   logging_level="WARNING", burst_wait=wait)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _statuses(app: Flask) -> list[tuple[str, int]]:
    with app.app_context():
        return [(r.status, r.attempts) for r in db.session.scalars(
            sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def test_mail_goes_through_the_queue_and_survives_an_outage(
        mail_app: Flask, smtp: SMTPServer, space: RedisSpace) -> None:
    mail_app.config.update(REDIS_URL=space.url, QUEUE_NAME=space.queue_name,
                           MAIL_RETRY_INTERVALS=[1], MAIL_MAX_ATTEMPTS=50)
    with mail_app.app_context():
        enqueue("a@example.org", "Premier", "texte", kind="test")
        db.session.commit()
    assert smtp.messages == [] and _statuses(mail_app) == [("queued", 0)]  # a job, not inline
    _burst(mail_app, space, wait=0.5)
    assert [m.rcpt_tos for m in smtp.messages] == [["a@example.org"]]

    smtp.stop()
    with mail_app.app_context():
        for address in ("b@example.org", "c@example.org"):
            enqueue(address, "Pendant la panne", "texte", kind="test")
        db.session.commit()
    _burst(mail_app, space, wait=0.2)  # first attempts fail; retries are scheduled
    during = _statuses(mail_app)[1:]
    assert [status for status, _ in during] == ["queued", "queued"], during  # kept, not lost
    assert len(smtp.messages) == 1
    smtp.start()
    for _round in range(5):  # the scheduled retries run once due (a loaded machine is slow)
        _burst(mail_app, space, wait=10)
        if all(status == "sent" for status, _ in _statuses(mail_app)):
            break
    assert [s for s, _ in _statuses(mail_app)] == ["sent"] * 3
    received = sorted(a for m in smtp.messages for a in m.rcpt_tos)
    assert received == ["a@example.org", "b@example.org", "c@example.org"]  # each exactly once
