"""`wikiseminar sync`: what cron runs; inline by default, on the job queue with --enqueue."""

from __future__ import annotations

import logging
import sys
import time

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from ..demo import is_demo
from ..extensions import db
from ..logs import configure_json_logging
from ..models import Seminar
from ..models._types import utcnow
from ..services.seminars import get_seminar
from ..sync.pipeline import SyncOptions, sync_seminar
from ..wiki.client import WikiClient
from .common import fail_cleanly, one_line, terminal_progress, wiki_client

log = logging.getLogger("wikiseminar.sync.cli")  # a JSON line on stderr, like the sync's own


def active_seminars() -> list[Seminar]:
    """Seminars to sync when none is named: active, on a real wiki (not the bundled demo),
    started, and not over for more than 30 days."""
    today = utcnow().date()
    seminars = db.session.scalars(sa.select(Seminar).where(Seminar.active.is_(True)).order_by(Seminar.id))
    return [s for s in seminars
            if not is_demo(s) and s.start_date <= today and (today - s.end_date).days <= 30]


@click.command("sync")
@click.argument("slugs", nargs=-1)
@click.option("--full", is_flag=True, help="Rescan every contribution since the seminar's start.")
@click.option("--enqueue", is_flag=True,
              help="Queue one job per due seminar for `wikiseminar worker` instead (needs Redis).")
@with_appcontext
def sync_command(slugs: tuple[str, ...], full: bool, enqueue: bool) -> None:
    """Fetch new edits of the named seminars (default: every active one) and measure them."""
    started = time.monotonic()
    with fail_cleanly():
        seminars = [get_seminar(db.session, s) for s in slugs] if slugs else active_seminars()
    for demo in [s for s in seminars if is_demo(s)]:
        click.echo(f"{demo.slug}: the demo seminar has no wiki; nothing to sync", err=True)
    seminars = [s for s in seminars if not is_demo(s)]
    configure_json_logging()
    if enqueue:
        from .queue import enqueue_seminars

        enqueue_seminars(seminars if slugs else None, seminars, full)
        return
    progress = terminal_progress()
    added = requests = failed = skipped = 0
    clients: dict[str, WikiClient] = {}
    slugs_to_sync = [(seminar.id, seminar.slug) for seminar in seminars]
    for seminar_id, slug in slugs_to_sync:
        # One seminar failing, for any reason, never stops the others.
        try:
            seminar = db.session.get(Seminar, seminar_id)
            assert seminar is not None
            api_url = seminar.wiki.api_url
            client = clients.get(api_url)
            if client is None:
                client = clients[api_url] = wiki_client(api_url)
            options = SyncOptions.from_config(current_app.config, full=full, trigger="cli",
                                              progress=progress)
            run = sync_seminar(db.session, seminar, client, options)
        except Exception as exc:  # noqa: BLE001 - reported, then the next seminar runs
            db.session.rollback()
            log.error("sync of %s failed", slug, exc_info=True, extra={"seminar": slug})
            if sys.stderr.isatty():
                click.echo("\r\033[K", nl=False, err=True)
            failed += 1
            click.echo(f"{slug}: sync failed: {one_line(exc)}", err=True)
            continue
        if sys.stderr.isatty():
            click.echo("\r\033[K", nl=False, err=True)
        added += run.revisions_added
        requests += run.api_requests
        if run.status == "skipped":
            skipped += 1
            click.echo(f"{slug}: skipped, another sync of this seminar is running", err=True)
        elif run.status == "failed":
            failed += 1
            click.echo(f"{slug}: sync failed: {one_line(run.error or 'unknown error')}", err=True)
    seconds = time.monotonic() - started
    click.echo(f"synced {len(seminars) - failed - skipped} seminar(s): {added} revisions added, "
               f"{requests} requests, {seconds:.1f} s"
               + (f", {failed} failed" if failed else "") + (f", {skipped} skipped" if skipped else ""))
    if failed:
        sys.exit(1)
