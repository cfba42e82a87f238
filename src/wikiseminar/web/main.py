"""Home page and operational endpoints."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, render_template, send_from_directory
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..extensions import db
from ..models import Participant, Role, Seminar, SyncRun
from ..services.dbhealth import write_problem
from ..sync.jobs import queue_status

bp = Blueprint("main", __name__)

# Where a participant lands in a seminar, by role (first endpoint that exists wins).
HOME_ENDPOINTS = {
    Role.INSTRUCTOR: ("seminars.overview", "dashboard.dashboard"),
    Role.STUDENT: ("seminars.me",),
    Role.AUDITOR: ("seminars.me",),
}


def home_endpoint(participant: Participant) -> str | None:
    """The endpoint of a participant's home page in a seminar."""
    for endpoint in HOME_ENDPOINTS[participant.role]:
        if endpoint in current_app.view_functions:
            return endpoint
    return None


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """The site icon where browsers look for it by default (it was a 404 on every page)."""
    assert current_app.static_folder is not None
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)


@bp.get("/")
def index() -> str:
    """The user's seminars, or what the tool is for."""
    memberships: list[Participant] = []
    if current_user.is_authenticated:
        memberships = list(db.session.scalars(
            sa.select(Participant).join(Seminar).where(
                Participant.user_id == current_user.id, Participant.removed_at.is_(None))
            .order_by(Seminar.start_date.desc())))
    others: list[Seminar] = []
    if current_user.is_authenticated and current_user.is_admin:
        mine = {p.seminar_id for p in memberships}
        others = [s for s in db.session.scalars(sa.select(Seminar).order_by(
            Seminar.start_date.desc())) if s.id not in mine]
    return render_template("index.html", memberships=memberships, home_endpoint=home_endpoint,
                           other_seminars=others)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Database reachable and writable, age of the last successful sync: for monitors."""
    try:
        last = db.session.scalar(
            sa.select(sa.func.max(SyncRun.finished_at)).where(SyncRun.status == "success")
        )
        problem = write_problem(db.session)
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        return jsonify(status="error", database="unreachable", error=type(exc).__name__), 503
    if problem is not None:  # pages can be read, but nothing can be saved
        return jsonify(status="error", database=problem,
                       error=f"the database is {problem}: writes are refused"), 503
    age = None
    if last is not None:
        if last.tzinfo is None:
            last = last.replace(tzinfo=dt.UTC)
        age = round((dt.datetime.now(dt.UTC) - last).total_seconds())
    body: dict[str, object] = {"status": "ok", "database": "ok", "last_sync_age_seconds": age}
    queue = queue_status(current_app.config)
    if queue is not None:  # web nodes serve pages without Redis: degraded, not down
        body["queue"] = queue
        if "error" in queue:
            body["status"] = "degraded"
    return jsonify(body), 200
