"""Long documents off the request path: the class PDF is built on the queue or in a thread.

A click asks for a build and gets a page that follows its progress; the build renders only
the students' parts whose HTML changed since the last build (kept in `rendered_document`) and
keeps the result there too, so every web process and worker machine sees the same files.
With `REDIS_URL` set and reachable the build is an RQ job run by `wikiseminar worker`;
otherwise a thread of the web process runs it, as for "sync now".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from ..dbsession import DbSession
from ..extensions import db
from ..models import DocumentBuild, RenderedDocument, Seminar
from ..models._types import utcnow
from ..reports.classpdf import build_class_pdf, default_workers, pdf_pages
from ..reports.student import StudentReport, iter_reports, report_participants

__all__ = ["CLASS_PDF", "DatabaseStore", "class_pdf", "document_job", "join_threads", "latest_build", "prune",
           "run_build", "start_class_pdf"]

log = logging.getLogger("wikiseminar.documents")

CLASS_PDF = "class-pdf"
# A queued or running build with no news for this long belongs to a process that died.
STALE_AFTER = dt.timedelta(minutes=15)

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


class DatabaseStore:
    """Rendered PDFs kept in the database by key; reading one marks it as used."""

    def __init__(self, session: DbSession) -> None:
        self.session = session

    def get(self, key: str) -> bytes | None:
        """The PDF under `key`, or None."""
        row = self.session.get(RenderedDocument, key)
        if row is None:
            return None
        row.used_at = utcnow()
        return row.content

    def put(self, key: str, content: bytes, pages: int) -> None:
        """Keep a PDF (a second build of the same content keeps the first one)."""
        if self.session.get(RenderedDocument, key) is None:
            self.session.add(RenderedDocument(key=key, content=content, pages=pages))
            self.session.flush()


def prune(session: DbSession, keep_days: int, now: dt.datetime | None = None) -> int:
    """Remove rendered PDFs unused for `keep_days` days; return how many."""
    cutoff = (now or utcnow()) - dt.timedelta(days=keep_days)
    kept = sa.select(DocumentBuild.result_key).where(DocumentBuild.result_key.is_not(None),
                                                     DocumentBuild.finished_at >= cutoff)
    result = session.execute(sa.delete(RenderedDocument).where(
        RenderedDocument.used_at < cutoff, RenderedDocument.key.not_in(kept)))
    return int(getattr(result, "rowcount", 0) or 0)


def class_pdf(session: DbSession, seminar: Seminar, lang: str, config: Any,
              progress: Any = None, reports: Sequence[StudentReport] | None = None) -> bytes:
    """The whole class as one PDF, reusing kept parts (the CLI calls this directly)."""
    built: Iterable[StudentReport]
    if reports is None:  # built one by one, each part rendered while the next is built
        people = report_participants(session, seminar)
        built, count = iter_reports(session, seminar, people), len(people)
    else:
        built, count = reports, len(reports)
    store = DatabaseStore(session)
    pdf = build_class_pdf(seminar, built, lang=lang, store=store,
                          workers=default_workers(int(config["REPORTS_PDF_WORKERS"])),
                          printed_at=utcnow(), progress=progress, count=count)
    prune(session, int(config["REPORTS_KEEP_DAYS"]))
    return pdf


def _live(build: DocumentBuild, now: dt.datetime) -> bool:
    """A queued or running build that is still making progress."""
    if build.status not in ("queued", "running"):
        return False
    return (build.started_at or build.created_at) > now - STALE_AFTER


def start_class_pdf(app: Flask, session: DbSession, seminar: Seminar, lang: str,
                    user_id: int | None) -> DocumentBuild:
    """Join the seminar's class-PDF build in this language if one is under way, else start one."""
    now = utcnow()
    current = session.scalar(sa.select(DocumentBuild).where(
        DocumentBuild.seminar_id == seminar.id, DocumentBuild.kind == CLASS_PDF,
        DocumentBuild.lang == lang, DocumentBuild.status.in_(("queued", "running")),
    ).order_by(DocumentBuild.id.desc()).limit(1))
    if current is not None and _live(current, now):
        return current
    if current is not None:
        current.status, current.error, current.finished_at = "failed", "abandoned", now
    build = DocumentBuild(seminar_id=seminar.id, kind=CLASS_PDF, lang=lang,
                          requested_by_id=user_id)
    session.add(build)
    session.commit()
    if not _enqueue(app, build.id):
        thread = threading.Thread(target=_thread, args=(app, build.id),
                                  name=f"class-pdf-{build.id}", daemon=True)
        with _threads_lock:
            _threads[:] = [t for t in _threads if t.is_alive()]
            _threads.append(thread)
        thread.start()
    return build


def latest_build(session: DbSession, seminar: Seminar, lang: str) -> DocumentBuild | None:
    """The seminar's most recent class-PDF build in this language."""
    return session.scalar(sa.select(DocumentBuild).where(
        DocumentBuild.seminar_id == seminar.id, DocumentBuild.kind == CLASS_PDF,
        DocumentBuild.lang == lang).order_by(DocumentBuild.id.desc()).limit(1))


def _enqueue(app: Flask, build_id: int) -> bool:
    """Put the build on the job queue when one is configured and reachable."""
    if not app.config.get("REDIS_URL"):
        return False
    try:
        from ..sync import jobs

        connection = jobs.connect(app.config, timeout=2.0)
        jobs.queue_for(app.config, connection).enqueue(
            document_job, build_id, job_id=f"document-build-{build_id}",
            result_ttl=jobs.RESULT_TTL, failure_ttl=jobs.FAILURE_TTL)
    except Exception as exc:  # noqa: BLE001 - any queue trouble: build in this process instead
        log.warning("class PDF %s is built in the web process: %s", build_id,
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return False
    return True


def document_job(build_id: int) -> dict[str, Any]:
    """The RQ job: build inside the worker's app context."""
    run_build(current_app._get_current_object(), db.session, build_id)  # type: ignore[attr-defined]
    return {"build": build_id}


def _thread(app: Flask, build_id: int) -> None:
    """The fallback thread: an app context and a session of its own."""
    with app.app_context():
        try:
            run_build(app, db.session, build_id)
        finally:
            db.session.remove()


def run_build(app: Flask, session: DbSession, build_id: int) -> None:
    """Build one requested document and record the outcome; never raise for a bad build."""
    build = session.get(DocumentBuild, build_id)
    if build is None or build.status in ("done", "failed"):
        return
    seminar = session.get(Seminar, build.seminar_id)
    if seminar is None:
        return
    build.status, build.started_at = "running", utcnow()
    session.commit()

    def progress(done: int, total: int) -> None:
        session.execute(sa.update(DocumentBuild).where(DocumentBuild.id == build_id)
                        .values(done=done, total=total, started_at=utcnow()))
        session.commit()

    try:
        pdf = class_pdf(session, seminar, build.lang, app.config, progress)
        key = hashlib.sha256(pdf).hexdigest()
        DatabaseStore(session).put(key, pdf, pdf_pages(pdf))
        build.status, build.result_key, build.finished_at = "done", key, utcnow()
        session.commit()
    except Exception as exc:  # noqa: BLE001 - recorded on the build, shown to the instructor
        log.exception("class PDF build %s failed", build_id)
        session.rollback()
        failed = session.get(DocumentBuild, build_id)
        if failed is not None:
            failed.status, failed.finished_at = "failed", utcnow()
            failed.error = (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:500]
            session.commit()


def join_threads(timeout: float = 120.0) -> bool:
    """Wait for the builds this process started (tests, clean shutdown); True if all ended."""
    with _threads_lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(timeout)
    return not any(t.is_alive() for t in threads)
