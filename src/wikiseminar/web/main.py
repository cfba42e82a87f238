"""Home page and operational endpoints."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template

from ..extensions import db
from ..models import SyncRun

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    """The landing page."""
    return render_template("index.html")


@bp.get("/healthz")
def healthz() -> tuple[object, int]:
    """Database reachable and age of the last successful sync, for load balancers and monitors."""
    try:
        last = db.session.scalar(
            sa.select(sa.func.max(SyncRun.finished_at)).where(SyncRun.status == "success")
        )
    except sa.exc.SQLAlchemyError as exc:
        return jsonify(status="error", database="unreachable", error=type(exc).__name__), 503
    age = None
    if last is not None:
        if last.tzinfo is None:
            last = last.replace(tzinfo=dt.UTC)
        age = round((dt.datetime.now(dt.UTC) - last).total_seconds())
    return jsonify(status="ok", database="ok", last_sync_age_seconds=age), 200
