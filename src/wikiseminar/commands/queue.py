"""`wikiseminar worker` and `wikiseminar sync --enqueue`: syncs on the RQ job queue."""

from __future__ import annotations

import os
import socket

import click
import redis
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..logs import configure_json_logging
from ..models import Seminar
from ..sync.jobs import QueueUnavailable, connect, enqueue_due, run_worker

__all__ = ["enqueue_seminars", "worker_command"]


def _redis_or_exit() -> redis.Redis:
    """The checked Redis connection, or a one-line error and exit 1."""
    try:
        return connect(current_app.config)
    except QueueUnavailable as exc:
        raise click.ClickException(str(exc)) from None


def enqueue_seminars(named: list[Seminar] | None, active: list[Seminar], full: bool) -> None:
    """Queue the due (or named) seminars and print what was done in one line."""
    connection = _redis_or_exit()
    report = enqueue_due(db.session, current_app.config, connection, active=active, named=named, full=full)
    db.session.rollback()  # read-only: release the snapshot
    for slug in report.deferred:
        click.echo(f"{slug}: deferred, it does not fit in the wiki's hourly request budget "
                   f"(estimate {report.estimated.get(slug)} requests)", err=True)
    click.echo(report.summary(current_app.config["QUEUE_NAME"]))


@click.command("worker")
@click.option("--burst", is_flag=True,
              help="Stop when the queue is empty and no retry is due within two minutes.")
@click.option("--name", default=None, help="Worker name (default: host.pid); unique per Redis.")
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              help="Level of RQ's own log lines.")
@with_appcontext
def worker_command(burst: bool, name: str | None, log_level: str) -> None:
    """Run queued syncs (started by `sync --enqueue`); run one or more per machine."""
    connection = _redis_or_exit()
    configure_json_logging()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    worker_name = name or f"{socket.gethostname()}.{os.getpid()}"
    try:
        run_worker(app, connection, name=worker_name, burst=burst, logging_level=log_level.upper())
    except ValueError as exc:  # e.g. a live worker already has that name
        raise click.ClickException(str(exc)) from None
