"""`wikiseminar seminar …`: create and list seminars."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Participant, Seminar
from ..services.seminars import SeminarError, create_seminar, parse_date
from .common import fail_cleanly, wiki_client


@click.group("seminar")
def seminar_group() -> None:
    """Create and list seminars."""


@seminar_group.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="Seminar title.")
@click.option("--wiki", "api_url", required=True, help="The wiki's api.php URL.")
@click.option("--start", required=True, help="First day, YYYY-MM-DD.")
@click.option("--end", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--restitution", default=None, help="Restitution session, 'YYYY-MM-DD HH:MM' local time.")
@click.option("--timezone", "tz", default=None, help="Time zone of dates (default: config timezone).")
@click.option("--public/--private", "public", default=False, show_default=True,
              help="Publish the programme at /programme/SLUG (never shows students).")
@with_appcontext
def create_command(slug: str, title: str, api_url: str, start: str, end: str,
                   restitution: str | None, tz: str | None, public: bool) -> None:
    """Create a seminar after checking that its wiki answers."""
    from flask import current_app

    with fail_cleanly():
        timezone = tz or current_app.config["TIMEZONE"]
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SeminarError(f"unknown time zone {timezone!r}") from None
        fields: dict[str, object] = {"timezone": timezone, "public": public}
        if restitution:
            try:
                local = dt.datetime.fromisoformat(restitution.strip())
            except ValueError:
                raise SeminarError(
                    f"restitution {restitution!r} is not of the form 'YYYY-MM-DD HH:MM'") from None
            fields["restitution_at"] = local.replace(tzinfo=zone).astimezone(dt.UTC)
        start_date, end_date = parse_date(start, "start"), parse_date(end, "end")
        seminar = create_seminar(
            db.session, slug=slug, title=title, api_url=api_url, start=start_date,
            end=end_date, client=wiki_client(api_url), **fields)
        db.session.commit()
    click.echo(f"created seminar {seminar.slug} on {seminar.wiki.sitename or api_url} "
               f"({seminar.start_date} to {seminar.end_date}); passcode {seminar.passcode}")


@seminar_group.command("list")
@with_appcontext
def list_command() -> None:
    """List seminars with their dates, wiki, participants and last sync."""
    counts = dict(db.session.execute(
        sa.select(Participant.seminar_id, sa.func.count()).where(Participant.removed_at.is_(None))
        .group_by(Participant.seminar_id)).all())
    seminars = db.session.scalars(sa.select(Seminar).order_by(Seminar.start_date, Seminar.slug)).all()
    if not seminars:
        click.echo("no seminar yet (create one with: wikiseminar seminar create)")
        return
    for s in seminars:
        last = s.last_sync_at.strftime("%Y-%m-%d %H:%M UTC") if s.last_sync_at else "never"
        state = "active" if s.active else "inactive"
        click.echo(f"{s.slug}\t{s.start_date}..{s.end_date}\t{s.wiki.api_url}\t"
                   f"{counts.get(s.id, 0)} participants\tlast sync {last}\t{state}\t{s.title}")
