"""The operator's view of syncs: recent runs of every seminar, the queue, and failed jobs."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import Seminar, SyncRun
from ..sync.jobs import QueueUnavailable, connect, failed_jobs, queue_status, requeue_failed

__all__ = ["bp"]

bp = Blueprint("admin", __name__, url_prefix="/admin")

RECENT_RUNS = 100


@bp.before_request
def admins_only() -> None:
    """Every page here is for accounts with is_admin; anyone else gets 403."""
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(403)


@bp.get("/sync")
def sync_runs() -> ResponseReturnValue:
    """The last sync runs with their figures, the queue's depth and its failed jobs."""
    runs = db.session.execute(
        sa.select(SyncRun, Seminar.slug).outerjoin(Seminar, Seminar.id == SyncRun.seminar_id)
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(RECENT_RUNS)
    ).all()
    queue = queue_status(current_app.config)
    failed = []
    if queue is not None and "error" not in queue:
        try:
            failed = failed_jobs(current_app.config, connect(current_app.config, timeout=1.0))
        except QueueUnavailable as exc:
            queue = {"name": current_app.config["QUEUE_NAME"], "error": str(exc)}
    return render_template("admin/sync.html", runs=runs, queue=queue, failed=failed)


@bp.post("/sync/jobs/<job_id>/requeue")
def requeue(job_id: str) -> ResponseReturnValue:
    """Put one failed sync job back on the queue (CSRF-protected form)."""
    try:
        done = requeue_failed(current_app.config, connect(current_app.config, timeout=1.0), [job_id])
    except QueueUnavailable as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.sync_runs"))
    if done:
        flash(_("Job %(job)s is back on the queue.", job=job_id), "success")
    else:
        flash(_("Job %(job)s is not in the failed jobs any more.", job=job_id), "warning")
    return redirect(url_for("admin.sync_runs"))


MAIL_PAGE = 200


@bp.get("/mail")
def mail_outbox() -> ResponseReturnValue:
    """The outbox: every message with its status, attempts and last error (newest first)."""
    from ..mail import mail_enabled
    from ..models import OutboxMessage

    messages = db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(MAIL_PAGE)).all()
    counts = dict(db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all())
    return render_template("admin/mail.html", messages=messages, counts=counts,
                           enabled=mail_enabled())
